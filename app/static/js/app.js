// Every page: htmx for server-rendered interactions. Kept tiny on purpose.
// htmx sends the CSRF token from <body hx-headers> (base.html); no inline script anywhere (CSP).
import htmx from "htmx.org";
import { initSignout } from "./signout.js";
import { initOffline } from "./offline/index.js";
import { initServiceWorker } from "./sw-client.js";

window.htmx = htmx;
window.chumchon = window.chumchon || {};
// Drafts, outbox, sync, the header badge (offline/index.js). Before the sign-out check and before the
// fill page's runtime (form.js runs after this module), which both use window.chumchon's offline API.
initOffline();

function init() {
  initSignout();
  initServiceWorker(); // offline: service worker, forms kept on the tablet, "ready offline" badges
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}

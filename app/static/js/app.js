// Every page: htmx for server-rendered interactions. Kept tiny on purpose.
// htmx sends the CSRF token from <body hx-headers> (base.html); no inline script anywhere (CSP).
import htmx from "htmx.org";
import { initSignout } from "./signout.js";

window.htmx = htmx;
window.chumchon = window.chumchon || {};

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => initSignout());
} else {
  initSignout();
}

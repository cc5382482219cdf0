// Every page: sign-out, the offline layer (drafts, outbox, sync, badge) and the service worker's
// page side. Kept small on purpose: htmx is its own bundle (htmx.js) for the pages that use it.
// No inline script anywhere (CSP).
import { initSignout } from "./signout.js";
import { initOffline } from "./offline/index.js";
import { initServiceWorker } from "./sw-client.js";
import { initThaiWords } from "./thai-words.js";

window.chumchon = window.chumchon || {};
// Drafts, outbox, sync, the header badge (offline/index.js). Before the sign-out check and before the
// fill page's runtime (form.js runs after this module), which both use window.chumchon's offline API.
// On a fill page the background work (badge, sync, the worker's registration and "cache every form")
// waits until the form is interactive, so it does not compete with the runtime's start.
const later = afterFormReady();
initOffline(later);

/** Resolves at once off the fill page; on it, once #fill[data-ready] is set (or after 5 s), when idle. */
function afterFormReady() {
  const ready = () => document.getElementById("fill")?.dataset.ready;
  const wait = new Promise((resolve) => {
    const check = () => {
      const fill = document.getElementById("fill");
      if (!fill || ready()) { resolve(); return; }
      const obs = new MutationObserver(() => { if (ready()) { obs.disconnect(); resolve(); } });
      obs.observe(fill, { attributes: true, attributeFilter: ["data-ready"] });
      setTimeout(() => { obs.disconnect(); resolve(); }, 5000);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", check);
    else check();
  });
  return wait.then(() => new Promise((resolve) => {
    if (!document.getElementById("fill")) resolve();
    else if (window.requestIdleCallback) requestIdleCallback(() => resolve(), { timeout: 500 });
    else setTimeout(resolve, 50);
  }));
}

function init() {
  initSignout();
  // words the browser's Thai dictionary would split mid-word (on a fill page once the form is ready)
  later.then(initThaiWords);
  // offline: service worker, forms kept on the tablet, "ready offline" badges
  later.then(initServiceWorker);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}

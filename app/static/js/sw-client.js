// The page's side of the service worker (service_worker/sw.js), on every page:
// - registers /sw.js (scope /);
// - signed in and online: asks the worker to cache every form the user may fill ("cache-forms"),
//   asks for persistent storage once per session, refreshes the page's CSRF token from the manifest
//   (a page served from the cache may carry the token of an older session);
// - form list: "ready offline" badge per form, computed here from Cache Storage; storage used/free;
// - fill page: "a newer version exists" when the manifest names another latest version;
// - offline page: lists the forms that are ready offline;
// - updates: a new worker build activates only when no fill page is open (the worker checks every
//   window), asked from another page once it is quiet (see activateWaiting); pages never reload by
//   themselves.
// window.chumchon.sw exposes keepVersions(urls), cacheForms(), freshCsrfToken() for other modules.

const MANIFEST_URL = "/offline/manifest.json";
const MATCH = { ignoreVary: true };

const isFillPage = () => /\/fill$/.test(location.pathname);
const signedIn = () => !!document.querySelector(".signout-link");

function ask(worker, message, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    if (!worker) { reject(new Error("no service worker")); return; }
    const channel = new MessageChannel();
    const timer = setTimeout(() => reject(new Error("service worker did not answer")), timeoutMs);
    channel.port1.onmessage = (e) => { clearTimeout(timer); resolve(e.data); };
    worker.postMessage(message, [channel.port2]);
  });
}

async function activeWorker() {
  const reg = await navigator.serviceWorker.ready;
  return reg.active;
}

async function isCached(urls) {
  if (!("caches" in self)) return false;
  for (const url of urls) {
    if (!url || !(await caches.match(url, MATCH))) return false;
  }
  return true;
}

async function cachedManifest() {
  try {
    const r = await caches.match(MANIFEST_URL, MATCH);
    return r ? await r.json() : null;
  } catch {
    return null;
  }
}

// ---- form list -------------------------------------------------------------------------------------

async function updateBadges() {
  for (const item of document.querySelectorAll("[data-offline-form]")) {
    const urls = [item.dataset.fillUrl, ...(item.dataset.mediaUrls || "").split(" ").filter(Boolean)];
    const ready = await isCached(urls);
    item.dataset.offlineReady = ready ? "true" : "false";
    const badge = item.querySelector(".ready-offline");
    if (badge) badge.hidden = !ready;
  }
}

function megabytes(bytes) {
  return (bytes / (1024 * 1024)).toLocaleString("th-TH", { maximumFractionDigits: bytes < 10 * 1024 * 1024 ? 1 : 0 });
}

async function showStorage() {
  const el = document.querySelector("[data-storage-info]");
  if (!el || !navigator.storage?.estimate) return;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  const free = Math.max(0, quota - usage);
  el.querySelectorAll("[data-storage-used]").forEach((n) => { n.textContent = megabytes(usage); });
  el.querySelectorAll("[data-storage-free]").forEach((n) => { n.textContent = megabytes(free); });
  el.querySelectorAll("[data-storage-persisted]").forEach((p) => {
    p.hidden = p.dataset.storagePersisted !== String(persisted);
  });
  el.hidden = false;
}

// ---- fill page -------------------------------------------------------------------------------------

function showNewerVersion(manifest) {
  const root = document.getElementById("fill");
  // (a draft's test page, data-test: its version is the next one, not an old one)
  if (!root || root.dataset.test || !manifest || document.querySelector(".newer-version")) return;
  const form = (manifest.forms || []).find((f) => f.form_id === root.dataset.formId);
  if (!form || !root.dataset.version || form.version === root.dataset.version) return;
  const note = document.createElement("p");
  note.className = "alert warning newer-version";
  note.setAttribute("role", "status");
  note.innerHTML = 'มีฉบับใหม่ <span class="en">A newer version exists</span> · '
    + 'ข้อมูลที่กรอกไว้ในฉบับนี้จะส่งในฉบับนี้ <span class="en">answers begun here finish on this version</span> · '
    + '<a class="newer-version-link"></a>';
  const link = note.querySelector("a");
  link.href = form.fill_url;
  link.innerHTML = 'เปิดฉบับใหม่ <span class="en"></span>';
  link.querySelector(".en").textContent = `Open version ${form.version}`;
  root.parentNode.insertBefore(note, root);
}

// ---- offline fallback page ----------------------------------------------------------------------

async function listOfflineForms() {
  const list = document.querySelector("[data-offline-forms]");
  if (!list) return;
  const manifest = await cachedManifest();
  let any = false;
  for (const form of manifest?.forms || []) {
    if (!(await isCached([form.fill_url, ...(form.media || [])]))) continue;
    const li = document.createElement("li");
    li.className = "card form-item";
    const a = document.createElement("a");
    a.className = "btn";
    a.href = form.fill_url;
    a.textContent = form.title || form.form_id;
    li.append(a);
    list.append(li);
    any = true;
  }
  const none = list.querySelector("[data-offline-none]");
  if (none) none.hidden = any;
}

// ---- the session's CSRF token ----------------------------------------------------------------------

function applyCsrfToken(token) {
  if (!token) return;
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) meta.content = token;
  const body = document.body;
  if (body?.hasAttribute("hx-headers")) {
    try {
      const headers = JSON.parse(body.getAttribute("hx-headers"));
      headers["X-CSRFToken"] = token;
      body.setAttribute("hx-headers", JSON.stringify(headers));
    } catch { /* leave it */ }
  }
  document.querySelectorAll('input[name="csrf_token"]').forEach((input) => { input.value = token; });
}

// ---- caching the forms ------------------------------------------------------------------------------

let syncing = null;
async function cacheForms() {
  if (!("serviceWorker" in navigator)) return null;
  if (!syncing) {
    syncing = (async () => {
      const result = await ask(await activeWorker(), { type: "cache-forms" });
      if (result?.fresh) applyCsrfToken(result.manifest?.csrf_token);
      await updateBadges();
      showNewerVersion(result?.manifest);
      await showStorage();
      document.documentElement.dataset.offlineSync = result?.ok ? "done" : "failed";
      document.dispatchEvent(new CustomEvent("chumchon:forms-cached", { detail: result }));
      return result;
    })().finally(() => { syncing = null; });
  }
  return syncing;
}

async function requestPersistence() {
  if (!navigator.storage?.persist || sessionStorage.getItem("chumchon.persistAsked")) return;
  sessionStorage.setItem("chumchon.persistAsked", "1");
  try {
    if (!(await navigator.storage.persisted())) await navigator.storage.persist();
  } catch { /* not granted: the storage note says so */ }
}

// ---- updates ----------------------------------------------------------------------------------------

// A waiting worker (a new build) is asked to take over from pages other than a fill page, once this
// page's own work with the worker is done and the worker has been quiet for a moment: Chrome acts on
// the first skipWaiting() only, and one made while the old worker is busy can stall for minutes
// (service_worker/sw.js, activateIfIdle). The worker itself refuses while any window shows a fill
// page, so the ask is repeated every 5 s while this page is open (a fill page in another tab may
// close meanwhile); a fill page never asks.
const QUIET_MS = 1500;
let asking = null;
function activateWaiting(reg, quiet) {
  if (asking || !reg.waiting || isFillPage()) return;
  asking = true;
  const askNow = () => {
    if (!reg.waiting) return false;
    ask(reg.waiting, { type: "activate-if-idle" }, 10_000).catch(() => {});
    return true;
  };
  quiet.then(() => new Promise((resolve) => setTimeout(resolve, QUIET_MS))).then(() => {
    if (!askNow()) { asking = null; return; }
    asking = setInterval(() => {
      if (!askNow()) { clearInterval(asking); asking = null; }
    }, 5000);
  });
}

function watchUpdates(reg, quiet) {
  activateWaiting(reg, quiet);
  reg.addEventListener("updatefound", () => {
    const worker = reg.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed") activateWaiting(reg, syncing || Promise.resolve());
    });
  });
}

// ---- start --------------------------------------------------------------------------------------------

export function initServiceWorker() {
  window.chumchon = window.chumchon || {};
  window.chumchon.sw = {
    cacheForms,
    /** The complete list of fill (or media) URLs that drafts and outbox items still need: those
     *  versions stay cached whatever is published later. Each call replaces the previous list. */
    keepVersions: async (urls) => ask(await activeWorker(), { type: "keep-versions", urls: [...urls] }),
    /** A CSRF token of the current session (fetched when online; else the page's own). */
    freshCsrfToken: async () => {
      try {
        const r = await fetch(MANIFEST_URL, { headers: { Accept: "application/json" }, cache: "no-store" });
        if (r.ok && !r.redirected) applyCsrfToken((await r.json()).csrf_token);
      } catch { /* offline */ }
      return document.querySelector('meta[name="csrf-token"]')?.content || "";
    },
  };
  updateBadges();
  listOfflineForms();
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then((reg) => {
    let quiet = Promise.resolve(); // this page's own work with the worker
    if (signedIn()) {
      requestPersistence();
      quiet = cacheForms().catch(() => {});
    } else {
      cachedManifest().then(showNewerVersion);
    }
    watchUpdates(reg, quiet);
    // The first worker claims open pages when it activates, but a page that was still loading then
    // stays without one (its requests would skip the worker until the next navigation): ask again.
    navigator.serviceWorker.ready.then(({ active }) => {
      const claim = () => {
        if (!navigator.serviceWorker.controller) ask(active, { type: "claim" }, 10_000).catch(() => {});
      };
      if (active?.state === "activated") claim();
      else active?.addEventListener("statechange", () => { if (active.state === "activated") claim(); });
    });
  }).catch((e) => console.warn("service worker not registered:", e));
  window.addEventListener("online", () => {
    if (signedIn()) cacheForms().catch(() => {});
  });
}

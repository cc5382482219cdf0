// chumchon's service worker: the app keeps working in a village without signal.
// Built by build.mjs (esbuild, IIFE) into app/static/dist/sw.js and served at /sw.js (scope /).
// Workbox does the precache of the app shell and the runtime strategies; the hand-written parts are
// what Workbox has no notion of: one cache per form version that outlives app updates while a draft
// may still need it, the "cache every form I may fill" job, and the update policy.
//
// Caches (see docs/ARCHITECTURE.md, "Offline: the service worker"):
//   chumchon-precache-v2-<scope>  Workbox precache: dist JS/CSS/fonts + offline.html (per build)
//   chumchon-pages                the form list (/ and /forms), network first
//   chumchon-meta                 the last good /offline/manifest.json, the keep-list, bookkeeping
//   chumchon-form:<id>:<version>  a versioned fill page + its media; never deleted while it is the
//                                 latest, while a draft/outbox item needs it, or for 30 days after
//                                 a newer version superseded it
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from "workbox-precaching";
import { registerRoute, setCatchHandler } from "workbox-routing";
import { CacheFirst, NetworkFirst, NetworkOnly, StaleWhileRevalidate } from "workbox-strategies";
import { ExpirationPlugin } from "workbox-expiration";
import { setCacheNameDetails } from "workbox-core";

/* global __PRECACHE_MANIFEST__, __BUILD_ID__ */
setCacheNameDetails({ prefix: "chumchon" });

const BUILD_ID = __BUILD_ID__;
const PAGES = "chumchon-pages";
const META = "chumchon-meta";
const FORM_PREFIX = "chumchon-form:";
const MANIFEST_URL = "/offline/manifest.json";
const OFFLINE_PAGE = "/static/dist/offline.html";
const KEEP_KEY = "/__chumchon/keep-versions";
const BOOK_KEY = "/__chumchon/form-caches";
const KEEP_SUPERSEDED_MS = 30 * 24 * 3600 * 1000;
const NETWORK_TIMEOUT_S = 4;
const MATCH = { ignoreVary: true };

const VERSIONED_FILL = /^\/forms\/([^/]+)\/versions\/([^/]+)\/fill$/;
const MEDIA = /^\/forms\/([^/]+)\/versions\/([^/]+)\/media\/(.+)$/;
const LATEST_FILL = /^\/forms\/([^/]+)\/fill$/;
// A draft's test link (app/forms/draft_fill.py): its fill page and media, cached as "draft-<token>"
const DRAFT = /^\/forms\/([^/]+)\/draft\/([^/]+)\/(?:fill|media\/.+)$/;

// ---- what may be stored ------------------------------------------------------------------------

/** A response worth keeping: a plain 200 that is not the sign-in page and not marked no-store.
 *  A 401, a redirect to /signin (opaqueredirect for navigations, `redirected` for fetches) or a
 *  no-store answer (submissions, api, admin) never replaces a good cached copy. */
function isStorable(response) {
  if (!response || response.status !== 200 || response.type === "opaqueredirect" || response.redirected) return false;
  if (/no-store/i.test(response.headers.get("Cache-Control") || "")) return false;
  try {
    if (response.url && new URL(response.url).pathname.startsWith("/signin")) return false;
  } catch { /* synthetic response without URL */ }
  return true;
}

const storableOnly = { cacheWillUpdate: async ({ response }) => (isStorable(response) ? response : null) };

function formCacheName(formId, version) {
  return `${FORM_PREFIX}${formId}:${version}`;
}

function decodePart(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

// ---- the app shell: precached per build ---------------------------------------------------------

precacheAndRoute(__PRECACHE_MANIFEST__);
cleanupOutdatedCaches();

// ---- routes --------------------------------------------------------------------------------------

// Into the version's cache: "page" stale-while-revalidate, "media" cache first (one object per pair).
const strategies = new Map();
function formStrategy(kind, formId, version) {
  const cacheName = formCacheName(formId, version);
  const key = `${kind}|${cacheName}`;
  if (!strategies.has(key)) {
    const Strategy = kind === "page" ? StaleWhileRevalidate : CacheFirst;
    strategies.set(key, new Strategy({ cacheName, plugins: [storableOnly], matchOptions: MATCH }));
  }
  return strategies.get(key);
}

// A versioned fill page is immutable content: served at once from its version's cache (a repeat
// visit costs no byte before the form is usable) and refreshed in the background, which also
// refreshes the session's CSRF token baked into the page.
registerRoute(({ url, request }) => request.method === "GET" && url.origin === self.location.origin
    && VERSIONED_FILL.test(url.pathname),
  ({ url, request, event }) => {
    const [, id, v] = url.pathname.match(VERSIONED_FILL);
    return formStrategy("page", decodePart(id), decodePart(v)).handle({ request, event });
  });

// Media of a version (files attached at publish, immutable): from the cache when there, else the
// network (and kept). The user's registry lists travel inside the fill page (app/forms/fill.py).
registerRoute(({ url, request }) => request.method === "GET" && url.origin === self.location.origin
    && MEDIA.test(url.pathname),
  ({ url, request, event }) => {
    const [, id, v] = url.pathname.match(MEDIA);
    return formStrategy("media", decodePart(id), decodePart(v)).handle({ request, event });
  });

// A draft's test link: network first (a workbook the staff just replaced shows at once), the last
// good copy when offline, so a tester can fill the draft in the village.
const draftStrategies = new Map();
registerRoute(({ url, request }) => request.method === "GET" && url.origin === self.location.origin
    && DRAFT.test(url.pathname),
  ({ url, request, event }) => {
    const [, id, token] = url.pathname.match(DRAFT);
    const cacheName = formCacheName(decodePart(id), `draft-${decodePart(token)}`);
    if (!draftStrategies.has(cacheName)) {
      draftStrategies.set(cacheName, new NetworkFirst({ cacheName, networkTimeoutSeconds: NETWORK_TIMEOUT_S,
        plugins: [storableOnly], matchOptions: MATCH }));
    }
    return draftStrategies.get(cacheName).handle({ request, event });
  });

// /forms/<id>/fill (the latest version): the network decides online; offline, the cached page of
// the latest version the last good manifest named.
const latestOnline = new NetworkOnly({ networkTimeoutSeconds: NETWORK_TIMEOUT_S });
registerRoute(({ url, request }) => request.method === "GET" && url.origin === self.location.origin
    && LATEST_FILL.test(url.pathname),
  async ({ url, request, event }) => {
    try {
      return await latestOnline.handle({ request, event });
    } catch (err) {
      const cached = await cachedLatestFill(decodePart(url.pathname.match(LATEST_FILL)[1]));
      if (cached) return cached;
      throw err;
    }
  });

// The form list: network first, the last good copy offline ("/" and "/forms" are one page).
const pages = new NetworkFirst({
  cacheName: PAGES,
  networkTimeoutSeconds: NETWORK_TIMEOUT_S,
  matchOptions: MATCH,
  plugins: [
    storableOnly,
    { cacheKeyWillBeUsed: async ({ request }) => new URL("/forms", self.location.origin).href },
    new ExpirationPlugin({ maxEntries: 5 }),
  ],
});
registerRoute(({ url, request }) => request.method === "GET" && url.origin === self.location.origin
  && (url.pathname === "/" || url.pathname === "/forms"), pages);

// The manifest: network first; the last good copy is what offline navigation and badges rely on.
const manifestStrategy = new NetworkFirst({
  cacheName: META, networkTimeoutSeconds: NETWORK_TIMEOUT_S, matchOptions: MATCH, plugins: [storableOnly],
});
registerRoute(({ url, request }) => request.method === "GET" && url.origin === self.location.origin
  && url.pathname === MANIFEST_URL, manifestStrategy);

// Other static files (not in the precache: images, legacy .woff fonts): cache first, bounded.
registerRoute(({ url, request }) => request.method === "GET" && url.origin === self.location.origin
    && url.pathname.startsWith("/static/"),
  new CacheFirst({ cacheName: "chumchon-static", matchOptions: MATCH,
    plugins: [storableOnly, new ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: 30 * 24 * 3600 })] }));

// Every other navigation (details, submissions, admin: no-store) goes to the network; when there is
// none, the offline page (from the precache) lists the forms that are ready.
registerRoute(({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin,
  new NetworkOnly());

setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate" || request.destination === "document") {
    return (await matchPrecache(OFFLINE_PAGE)) || Response.error();
  }
  return Response.error();
});

// ---- caching every form the user may fill -------------------------------------------------------

async function readJSON(cacheName, key, fallback) {
  const r = await (await caches.open(cacheName)).match(key);
  if (!r) return fallback;
  try { return await r.json(); } catch { return fallback; }
}

async function writeJSON(cacheName, key, value) {
  const cache = await caches.open(cacheName);
  await cache.put(key, new Response(JSON.stringify(value), { headers: { "Content-Type": "application/json" } }));
}

async function lastManifest() {
  return readJSON(META, MANIFEST_URL, null);
}

async function cachedLatestFill(formId) {
  const manifest = await lastManifest();
  const form = manifest?.forms?.find((f) => f.form_id === formId);
  if (!form) return null;
  const cache = await caches.open(formCacheName(form.form_id, form.version));
  return (await cache.match(form.fill_url, MATCH)) || null;
}

async function fetchStorable(url, accept) {
  const response = await fetch(url, { credentials: "same-origin", headers: accept ? { Accept: accept } : {} });
  return isStorable(response) ? response : null;
}

/** Fetch the manifest (the last good copy when offline) and fill each form's version cache. */
async function cacheForms() {
  let manifest = null;
  let fresh = false;
  try {
    const response = await fetchStorable(MANIFEST_URL, "application/json");
    if (response) {
      manifest = await response.clone().json();
      await (await caches.open(META)).put(MANIFEST_URL, response);
      fresh = true;
    }
  } catch { /* offline */ }
  if (!manifest) manifest = await lastManifest();
  if (!manifest) return { manifest: null, fresh, ready: [] };
  const ready = [];
  const book = await readJSON(META, BOOK_KEY, {});
  const now = Date.now();
  if (fresh) {
    // Keep the form list too, so it opens offline even if it was never visited under this worker.
    try {
      const pagesCache = await caches.open(PAGES);
      if (!(await pagesCache.match("/forms", MATCH))) {
        const list = await fetchStorable("/forms", "text/html");
        if (list) await pagesCache.put(new URL("/forms", self.location.origin).href, list);
      }
    } catch { /* offline */ }
  }
  for (const form of manifest.forms || []) {
    const name = formCacheName(form.form_id, form.version);
    const cache = await caches.open(name);
    const entry = { ...(book[name] || {}), cachedAt: book[name]?.cachedAt || now, supersededAt: null };
    // A page that carries the user's registry lists is fetched again when they changed (a group
    // approved, another officer signed in on this tablet): the manifest's registry_version says so.
    const stale = fresh && form.registry && manifest.registry_version
      && entry.registry !== manifest.registry_version;
    let complete = true;
    for (const url of [form.fill_url, ...(form.media || [])]) {
      const cached = await cache.match(url, MATCH);
      if (cached && !(stale && url === form.fill_url)) continue; // media are immutable; pages refresh themselves
      try {
        const response = fresh ? await fetchStorable(url) : null;
        if (response) {
          await cache.put(url, response);
          if (url === form.fill_url && form.registry) entry.registry = manifest.registry_version;
        } else if (!cached) complete = false;
      } catch {
        if (!cached) complete = false;
      }
    }
    book[name] = entry;
    if (complete) ready.push(form.form_id);
  }
  await writeJSON(META, BOOK_KEY, book);
  if (fresh) await cleanupFormCaches(manifest);
  return { manifest, fresh, ready };
}

/** Delete a version's cache only when it is not the latest of its form, no draft or outbox item
 *  has asked to keep it, and it was superseded more than 30 days ago. */
async function cleanupFormCaches(manifest) {
  const latest = new Set((manifest?.forms || []).map((f) => formCacheName(f.form_id, f.version)));
  const keep = new Set((await readJSON(META, KEEP_KEY, { urls: [] })).urls.map(cacheNameOfUrl).filter(Boolean));
  const book = await readJSON(META, BOOK_KEY, {});
  const now = Date.now();
  for (const name of await caches.keys()) {
    if (!name.startsWith(FORM_PREFIX)) continue;
    if (latest.has(name) || keep.has(name)) {
      if (book[name]) book[name].supersededAt = null;
      continue;
    }
    const entry = (book[name] = book[name] || { cachedAt: now, supersededAt: null });
    if (!entry.supersededAt) entry.supersededAt = now;
    if (now - entry.supersededAt > KEEP_SUPERSEDED_MS) {
      await caches.delete(name);
      delete book[name];
    }
  }
  await writeJSON(META, BOOK_KEY, book);
}

function cacheNameOfUrl(u) {
  try {
    const path = new URL(u, self.location.origin).pathname;
    const m = path.match(VERSIONED_FILL) || path.match(MEDIA);
    if (m) return formCacheName(decodePart(m[1]), decodePart(m[2]));
    const d = path.match(DRAFT);
    return d ? formCacheName(decodePart(d[1]), `draft-${decodePart(d[2])}`) : null;
  } catch {
    return null;
  }
}

let running = null;
function cacheFormsOnce() {
  if (!running) running = cacheForms().finally(() => { running = null; });
  return running;
}

// ---- updates: never under a form being filled ---------------------------------------------------

async function formPageOpen() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return windows.some((c) => {
    try { return /\/fill$/.test(new URL(c.url).pathname); } catch { return false; }
  });
}

// skipWaiting() is called once, at a quiet moment. Chrome acts on the first call only (later calls
// just wait for the first); when that call finds the old worker busy (a page loading through it), it
// may wait for the old worker to go idle for minutes, however often it is asked again. So the pages
// ask ("activate-if-idle") only once their own work with the worker is done (sw-client.js), and the
// install does not call it while an old worker serves pages.
async function activateIfIdle() {
  // skipWaiting() on the active worker is a no-op, so any worker may be asked.
  if (await formPageOpen()) return false;
  self.skipWaiting(); // not awaited: Chrome settles it only once the old worker is idle
  return true;
}

self.addEventListener("install", (event) => {
  // The first install has nothing to wait for; an update waits for a page to ask.
  if (!self.registration.active) event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (value) => event.ports?.[0]?.postMessage(value);
  if (data.type === "cache-forms") {
    event.waitUntil(cacheFormsOnce()
      .then((result) => reply({ ok: true, build: BUILD_ID, ...result }))
      .catch((e) => reply({ ok: false, build: BUILD_ID, error: String(e) })));
  } else if (data.type === "keep-versions") {
    // The complete list of fill (or media) URLs that drafts and outbox items still need; each
    // message replaces the previous list. Those versions' caches are never deleted.
    const urls = Array.isArray(data.urls) ? data.urls.filter((u) => typeof u === "string") : [];
    event.waitUntil(writeJSON(META, KEEP_KEY, { urls, at: Date.now() }).then(() => reply({ ok: true })));
  } else if (data.type === "claim") {
    // A page that loaded while this worker was activating is missed by the activate event's claim()
    // (Chrome claims only pages already running); it asks once it sees no controller.
    event.waitUntil(self.clients.claim().then(() => reply({ ok: true }), (e) => reply({ ok: false, error: String(e) })));
  } else if (data.type === "activate-if-idle") {
    event.waitUntil(activateIfIdle().then((activated) => reply({ ok: true, activated })));
  } else if (data.type === "build") {
    reply({ ok: true, build: BUILD_ID });
  }
});

// Background Sync (where the browser has it): the outbox lives in the page's IndexedDB with the
// session and CSRF token, so the worker only wakes the open pages (app/static/js/offline/sync.js).
self.addEventListener("sync", (event) => {
  if (event.tag !== "sync-outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((windows) => {
    for (const w of windows) w.postMessage({ type: "sync-outbox" });
  }));
});

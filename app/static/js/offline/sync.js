// Sync: sends the signed-in user's outbox to POST /submission, one item at a time, one sync at a
// time across tabs (Web Locks API; a lock record in IndexedDB where it is missing).
//
// Triggers (no page refresh ever needed): app open (every page, app.js), the `online` event, a
// message {type: "sync-outbox"} from the service worker (its Background Sync handler forwards the
// event to open pages), the tab becoming visible, a submit, and a timer with exponential backoff
// and jitter while anything is left. Backoff counts rounds that got nothing through: any success
// resets it, so a flaky network is retried briskly and a dead one gently (2 s doubling to 10 min).
//
// An item leaves the outbox only on 201 with the item's own instanceID in the JSON answer (new or
// "already received"), or 201 with an OpenRosa XML answer; a captive portal's 200 or a redirect is
// not a confirmation. A 4xx answer
// from the receiver (JSON with an `outcome`: 409 conflict, 400, 404, 413, 422) moves the item to
// "needs attention" with the server's message. 401/403, or a 400 that is not the receiver's (CSRF),
// mean "sign in again": the items stay queued. Network errors, timeouts and 5xx are retried; after
// MAX_SERVER_ERRORS 5xx answers an item goes to "needs attention" so it is never retried forever.
import { ATTENTION, QUEUED, confirmed, list, update } from "./outbox.js";
import { announce, currentUser, db } from "./store.js";

export const LOCK_NAME = "chumchon-outbox-sync";
export const BACKOFF_BASE_MS = 2000;
export const BACKOFF_CAP_MS = 10 * 60 * 1000;
export const MAX_SERVER_ERRORS = 8;
const STOP_AFTER_NETWORK_FAILURES = 3; // in a row: the server is unreachable, end the round

export const SENT = "sent";
export const REJECTED = "rejected";
export const RETRY = "retry";
export const AUTH = "auth";

export const state = { running: false, lastRun: 0, lastResult: "", authNeeded: false, nextAt: 0, failedRounds: 0 };

// The page's token (base.html <meta name="csrf-token">); sw-client.js writes a fresh one into it.
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

/** A page kept for days (or served from the service worker's cache) may hold an old session's token. */
async function refreshToken() {
  try {
    await window.chumchon?.sw?.freshCsrfToken?.();
  } catch { /* keep the page's token */ }
}

export function timeoutFor(rec) {
  let bytes = rec.xml.length;
  for (const blob of Object.values(rec.attachments || {})) bytes += blob.size || 0;
  return 30_000 + Math.ceil(bytes / 5_000) * 1_000; // ~5 KB/s: a slow 2G link
}

export function formDataOf(rec) {
  const data = new FormData();
  data.append("xml_submission_file", new Blob([rec.xml], { type: "text/xml" }), "xml_submission_file.xml");
  for (const [name, blob] of Object.entries(rec.attachments || {})) data.append(name, blob, name);
  return data;
}

/** One POST of one outbox record: {kind: SENT|REJECTED|RETRY|AUTH, status, message_th, message_en, error}. */
export async function sendOne(rec, url = rec.url || "/submission") {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutFor(rec));
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      body: formDataOf(rec),
      headers: { "X-OpenRosa-Version": "1.0", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
      signal: abort.signal,
    });
  } catch (e) {
    return { kind: RETRY, status: 0, error: abort.signal.aborted ? "timeout" : String(e.message || e) };
  } finally {
    clearTimeout(timer);
  }
  const status = response.status;
  let body = null;
  let openRosa = null; // the <message> of an OpenRosa XML answer
  try {
    if ((response.headers.get("Content-Type") || "").includes("json")) body = await response.json();
    else {
      const text = await response.text();
      if (text.includes("OpenRosaResponse")) {
        const doc = new DOMParser().parseFromString(text, "text/xml");
        openRosa = doc.getElementsByTagName("message")[0]?.textContent?.trim() || "";
      }
    }
  } catch { body = null; }
  const msg = { status, message_th: body?.message_th || openRosa || "", message_en: body?.message_en || "" };
  if (status === 201 && ((body && body.instance_id === rec.instanceID) || openRosa !== null)) return { kind: SENT, ...msg };
  if (status === 401 || status === 403) return { kind: AUTH, ...msg };
  // A 400 that is not the receiver's answer (no JSON outcome) is the CSRF check: the page expired.
  if (status === 400 && !body?.outcome && (!openRosa || /CSRF/.test(openRosa))) return { kind: AUTH, ...msg };
  if (status >= 400 && status < 500 && (body?.outcome || openRosa !== null)) return { kind: REJECTED, ...msg };
  return { kind: RETRY, ...msg, error: status ? `HTTP ${status}` : "no answer (redirect or opaque)" };
}

/** Files the outcome of a send in the outbox. */
async function apply(rec, res) {
  if (res.kind === SENT) return confirmed(rec.key);
  if (res.kind === REJECTED) {
    await update(rec.key, { state: ATTENTION, status: res.status, message_th: res.message_th,
                            message_en: res.message_en, attempts: rec.attempts + 1, lastError: "" });
    return announce("outbox");
  }
  if (res.kind === RETRY) {
    const serverErrors = (rec.serverErrors || 0) + (res.status >= 500 ? 1 : 0);
    const changes = { attempts: rec.attempts + 1, serverErrors, lastError: res.error || "", lastTried: Date.now() };
    if (serverErrors >= MAX_SERVER_ERRORS) {
      Object.assign(changes, { state: ATTENTION, status: res.status, message_th: res.message_th || "เซิร์ฟเวอร์ขัดข้องซ้ำหลายครั้ง",
                               message_en: res.message_en || "The server failed again and again." });
    }
    await update(rec.key, changes);
    if (changes.state) announce("outbox");
  }
}

// ---- one sync at a time ------------------------------------------------------------------------

const tabId = Math.random().toString(36).slice(2);

async function withLock(fn) {
  if (navigator.locks?.request) {
    return navigator.locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => (lock ? fn() : "busy"));
  }
  // Fallback: a lock record with an expiry, taken in a readwrite transaction (serialised by IndexedDB).
  const take = async () => {
    const tx = (await db()).transaction("meta", "readwrite");
    const held = await tx.store.get("sync-lock");
    const free = !held || held.until < Date.now() || held.owner === tabId;
    if (free) await tx.store.put({ key: "sync-lock", owner: tabId, until: Date.now() + 60_000 });
    await tx.done;
    return free;
  };
  if (!(await take())) return "busy";
  const keepAlive = setInterval(take, 20_000);
  try {
    return await fn();
  } finally {
    clearInterval(keepAlive);
    const tx = (await db()).transaction("meta", "readwrite");
    const held = await tx.store.get("sync-lock");
    if (held?.owner === tabId) await tx.store.delete("sync-lock");
    await tx.done;
  }
}

let timer = null;
let running = null;
let again = false;

function schedule(ms) {
  clearTimeout(timer);
  state.nextAt = Date.now() + ms;
  timer = setTimeout(() => syncOutbox("timer"), ms);
}

export function backoffDelay(failedRounds) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(failedRounds, 20));
  return Math.round(ceiling * (0.5 + Math.random() / 2)); // "equal jitter": never 0, never in step
}

async function round() {
  let progress = false;
  let inARow = 0;
  let refreshed = false;
  const tried = new Set();
  outer: for (;;) {
    const items = (await list(QUEUED)).filter((r) => !tried.has(r.key));
    if (!items.length) break;
    for (const rec of items) {
      if (rec.userId !== currentUser()) continue;
      tried.add(rec.key);
      let res = await sendOne(rec);
      if (res.kind === AUTH && !refreshed) {
        refreshed = true;
        await refreshToken();
        res = await sendOne(rec);
      }
      await apply(rec, res);
      if (res.kind === AUTH) {
        state.authNeeded = true;
        return { progress, auth: true };
      }
      if (res.kind === RETRY) {
        if (++inARow >= STOP_AFTER_NETWORK_FAILURES) break outer;
      } else {
        inARow = 0;
        progress = true;
      }
    }
  }
  state.authNeeded = false;
  return { progress, auth: false };
}

/** Runs a sync round now (or joins the one running in this tab). Resolves to a short result. */
export function syncOutbox(reason = "manual") {
  if (!currentUser()) return Promise.resolve("signed-out");
  if (running) {
    again = true;
    return running;
  }
  clearTimeout(timer);
  running = (async () => {
    if (navigator.onLine === false) {
      schedule(backoffDelay(state.failedRounds));
      return "offline";
    }
    state.running = true;
    announce("sync");
    let result;
    try {
      result = await withLock(round);
    } catch (e) {
      console.warn("sync failed", e);
      result = { progress: false };
    } finally {
      state.running = false;
    }
    if (result === "busy") {
      schedule(5_000 + Math.random() * 5_000); // another tab is sending; look again later
      return "busy";
    }
    state.lastRun = Date.now();
    state.failedRounds = result.progress ? 0 : state.failedRounds + 1;
    const left = await list(QUEUED);
    state.lastResult = result.auth ? "auth" : left.length ? "partial" : "done";
    if (left.length && !result.auth) schedule(backoffDelay(state.failedRounds));
    announce("sync");
    return state.lastResult;
  })().finally(() => {
    running = null;
    if (again) {
      again = false;
      syncOutbox(`${reason}+again`);
    }
  });
  return running;
}

/**
 * The submit path: send one freshly queued record now, if no other tab is syncing.
 * Returns SENT | REJECTED | RETRY | AUTH | "busy" | "offline" and the server's message.
 */
export async function sendNow(rec) {
  if (navigator.onLine === false) return { kind: "offline" };
  let res = { kind: "busy" };
  const got = await withLock(async () => {
    res = await sendOne(rec);
    await apply(rec, res);
    return "ok";
  });
  if (got === "busy") return { kind: "busy" };
  if (res.kind !== SENT) schedule(backoffDelay(0));
  else if ((await list(QUEUED)).length) setTimeout(() => syncOutbox("after-submit"), 0);
  return res;
}

/** Wires the automatic triggers. Called once per page by app.js. */
export function initSync() {
  if (!currentUser()) return;
  window.addEventListener("online", () => {
    state.failedRounds = 0;
    syncOutbox("online");
  });
  navigator.serviceWorker?.addEventListener?.("message", (e) => {
    if (e.data && e.data.type === "sync-outbox") syncOutbox("background-sync");
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncOutbox("visible");
  });
  setTimeout(() => syncOutbox("open"), 0);
}

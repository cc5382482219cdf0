// Offline data on every page (imported by app.js): the header badge (outbox waiting / needing
// attention), the "unsent for more than 3 days" warning, automatic sync, the drafts/outbox page,
// and the API on window.chumchon:
//   unsentCount()  drafts + outbox of the signed-in user (the sign-out page asks it)
//   outbox         {add, addMany, list, count, retry, sync, state}
//   drafts         {list, remove}
//   exportUnsent() the last-resort file (export.js)
//   offline        drafts + outbox submit for the fill page (form.js)
import { deleteDraft, listDrafts } from "./drafts.js";
import { formApi } from "./form.js";
import { downloadExport, buildExport } from "./export.js";
import * as outbox from "./outbox.js";
import { announce, countFor, currentUser, db, onChange } from "./store.js";
import { initSync, state as syncState, syncOutbox } from "./sync.js";

export const STALE_AFTER_MS = 3 * 24 * 3600 * 1000; // some browsers evict site data after 7 days unused

export async function unsentCount() {
  if (!currentUser()) return 0;
  const [d, o] = await Promise.all([countFor("drafts"), countFor("outbox")]);
  return d + o;
}

/** {waiting, attention, drafts, oldest} for the signed-in user. */
export async function summary() {
  const [items, drafts] = await Promise.all([outbox.list(), listDrafts()]);
  const attention = items.filter((r) => r.state === outbox.ATTENTION).length;
  const oldest = Math.min(...items.map((r) => r.created), ...drafts.map((r) => r.created), Infinity);
  return { waiting: items.length - attention, attention, drafts: drafts.length, oldest: oldest === Infinity ? null : oldest };
}

async function refreshChrome() {
  const s = await summary();
  const badge = document.querySelector("[data-offline-badge]");
  if (badge) {
    const n = s.waiting + s.attention;
    badge.querySelector("[data-offline-count]").textContent = String(n);
    badge.classList.toggle("has-items", n > 0);
    badge.classList.toggle("has-attention", s.attention > 0);
    badge.dataset.count = String(n);
    badge.dataset.attention = String(s.attention);
    badge.dataset.refreshed = "1"; // counts are from IndexedDB now, not the server-rendered 0
  }
  keepDraftVersions();
  const warn = document.querySelector("[data-offline-stale]");
  if (warn) warn.hidden = !(s.oldest && Date.now() - s.oldest > STALE_AFTER_MS);
  return s;
}

/**
 * Tells the service worker which form versions drafts still need (every user's drafts on this
 * device: on a shared tablet another officer's draft needs its version cached too). Only URLs.
 */
let keptList = null;
async function keepDraftVersions() {
  const keep = window.chumchon?.sw?.keepVersions;
  if (!keep) return;
  const urls = [...new Set((await (await db()).getAll("drafts")).map((d) => d.fillUrl))].sort();
  const key = JSON.stringify(urls);
  if (key === keptList) return;
  keptList = key;
  keep(urls).catch(() => { keptList = null; });
}

let refreshing = null;
function refreshSoon() {
  if (refreshing) return;
  refreshing = setTimeout(async () => {
    refreshing = null;
    try {
      await refreshChrome();
      window.dispatchEvent(new CustomEvent("chumchon:offline-refreshed"));
    } catch (e) {
      console.warn(e);
    }
  }, 50);
}

/**
 * Deletes the signed-in user's drafts and outbox from this device (sign-out on a shared tablet).
 * Only theirs: another officer's unsent work on the same tablet must survive, so sign-out never
 * clears the whole site's storage.
 */
export async function forgetCurrentUser() {
  const userId = currentUser();
  if (!userId) return 0;
  const conn = await db();
  let removed = 0;
  for (const store of ["drafts", "outbox"]) {
    const keys = await conn.getAllKeysFromIndex(store, "user", userId);
    const tx = conn.transaction(store, "readwrite");
    for (const key of keys) tx.store.delete(key);
    await tx.done;
    removed += keys.length;
  }
  announce("signed-out");
  return removed;
}

export function initOffline(later = Promise.resolve()) {
  const api = {
    unsentCount,
    forgetCurrentUser,
    outbox: { ...outbox, sync: syncOutbox, state: syncState, summary },
    drafts: { list: listDrafts, remove: deleteDraft },
    exportUnsent: downloadExport,
    buildExport,
    offline: formApi, // for the fill page's runtime (form/index.js, form/submit.js)
  };
  window.chumchon = Object.assign(window.chumchon || {}, api);
  if (!currentUser() || !("indexedDB" in window)) return;
  later.then(() => {
    onChange(refreshSoon);
    refreshSoon();
    initSync();
  });
  if (document.getElementById("offline-page")) import("./page.js").then((m) => m.initPage());
}

// IndexedDB for offline work, through `idb`. One database per origin, records keyed per signed-in
// user, so on a shared tablet one officer never sees another's drafts or outbox.
//
// Database "chumchon-offline", version 1:
//   drafts  keyPath "key" = `${userId}|${instanceID}`, index "user" (userId)
//           {key, userId, instanceID, formId, version, title, fillUrl, xml, attachments: {name: Blob},
//            lang, page, pages, label, progress, created, updated}
//   outbox  keyPath "key" = `${userId}|${instanceID}`, index "user" (userId)
//           {key, userId, instanceID, formId, version, title, label, xml, attachments: {name: Blob},
//            state: "queued" | "attention", attempts, nextAttempt (ms), lastError,
//            status, message_th, message_en, created, updated}
//   meta    keyPath "key": {key: "sync-lock", owner, until} (lock when the Web Locks API is missing)
// Dates are epoch milliseconds. The XML is kept as the exact string sent, so a resend is
// byte-identical (the server answers "already received", not a conflict).
import { openDB } from "idb";

export const DB_NAME = "chumchon-offline";
export const DB_VERSION = 1;

let dbPromise = null;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          for (const name of ["drafts", "outbox"]) {
            const store = database.createObjectStore(name, { keyPath: "key" });
            store.createIndex("user", "userId");
          }
          database.createObjectStore("meta", { keyPath: "key" });
        }
      },
      blocking() {
        // A newer version of the app wants to upgrade the schema: let it (this tab reopens on use).
        dbPromise?.then((d) => d.close());
        dbPromise = null;
      },
    }).catch((e) => {
      dbPromise = null;
      throw e;
    });
  }
  return dbPromise;
}

/** The signed-in user's id, or "" when nobody is signed in: the `chumchon_user` cookie (who is signed
 *  in on this device now, app/auth DEVICE_USER_COOKIE) before base.html's <body data-user-id>, which on
 *  a page the service worker kept is whoever was signed in when it was cached. */
export function currentUser() {
  const page = document.body?.dataset.userId || "";
  const cookie = /(?:^|;\s*)chumchon_user=(\d+)/.exec(document.cookie);
  return page && cookie ? cookie[1] : page;
}

export const keyOf = (userId, instanceID) => `${userId}|${instanceID}`;

/** Every record of `store` that belongs to `userId`. */
export async function allFor(store, userId = currentUser()) {
  if (!userId) return [];
  return (await db()).getAllFromIndex(store, "user", userId);
}

export async function countFor(store, userId = currentUser()) {
  if (!userId) return 0;
  return (await db()).countFromIndex(store, "user", userId);
}

export async function get(store, key) {
  return (await db()).get(store, key);
}

export async function put(store, value) {
  return (await db()).put(store, value);
}

export async function remove(store, key) {
  return (await db()).delete(store, key);
}

/** Tells every tab (and this one) that offline data changed, so badges and lists refresh. */
let channel = null;
export function announce(what = "changed", extra = {}) {
  const detail = { type: what, ...extra };
  try {
    channel ||= new BroadcastChannel("chumchon-offline");
    channel.postMessage(detail);
  } catch { /* no BroadcastChannel: this tab still hears the event below */ }
  window.dispatchEvent(new CustomEvent("chumchon:offline-changed", { detail }));
}

export function onChange(listener) {
  window.addEventListener("chumchon:offline-changed", listener);
  try {
    const ch = new BroadcastChannel("chumchon-offline");
    ch.onmessage = listener;
  } catch { /* single tab */ }
}

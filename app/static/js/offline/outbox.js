// Outbox: complete submissions (XML + attachments) waiting in IndexedDB until the server confirms
// them. Outbox first: a submit always writes here (and deletes the draft in the same transaction)
// before the network is tried, so a crash or a dropped connection mid-POST loses nothing.
// States: "queued" (sent by sync.js) and "attention" (the server refused it: 409 or another 4xx;
// kept with the server's message until the user retries or exports it; never retried by itself).
import { allFor, announce, countFor, currentUser, db, get, keyOf, put } from "./store.js";

export const QUEUED = "queued";
export const ATTENTION = "attention";

/**
 * A new outbox record. `xml` is the exact submission XML (string); `attachments` {name: Blob}.
 * `userId` defaults to the signed-in user.
 */
export function makeRecord({ instanceID, formId, version, xml, attachments = {}, title = "", label = "",
                             about = null, userId = currentUser(), created = Date.now(), url = undefined }) {
  if (!userId) throw new Error("nobody is signed in");
  if (!instanceID || !xml) throw new Error("an outbox record needs instanceID and xml");
  return {
    key: keyOf(userId, instanceID), userId, instanceID, formId, version, title: title || formId || "",
    label, about, xml, attachments, state: QUEUED, attempts: 0, serverErrors: 0, nextAttempt: 0,
    lastError: "", status: null, message_th: "", message_en: "", created, updated: Date.now(),
    // where it is sent: /submission unless the page said otherwise (a same-origin path only)
    ...(typeof url === "string" && url.startsWith("/") && !url.startsWith("//") && url !== "/submission" ? { url } : {}),
  };
}

/** Adds a record (replacing one with the same instanceID of this user) and deletes its draft. */
export async function add(fields) {
  const rec = fields.key && fields.state ? fields : makeRecord(fields);
  const tx = (await db()).transaction(["outbox", "drafts"], "readwrite");
  await Promise.all([tx.objectStore("outbox").put(rec), tx.objectStore("drafts").delete(rec.key), tx.done]);
  announce("outbox");
  requestBackgroundSync();
  return rec;
}

/** Adds many records in one transaction (the chaos test's 200; imports of old data). */
export async function addMany(list) {
  const recs = list.map((f) => makeRecord(f));
  const tx = (await db()).transaction("outbox", "readwrite");
  await Promise.all([...recs.map((r) => tx.store.put(r)), tx.done]);
  announce("outbox");
  requestBackgroundSync();
  return recs.length;
}

export async function list(state = null) {
  const all = (await allFor("outbox")).sort((a, b) => a.created - b.created);
  return state ? all.filter((r) => r.state === state) : all;
}

export async function count() {
  return countFor("outbox");
}

export async function update(key, changes) {
  const tx = (await db()).transaction("outbox", "readwrite");
  const rec = await tx.store.get(key);
  if (rec) await tx.store.put({ ...rec, ...changes, updated: Date.now() });
  await tx.done;
  return rec ? { ...rec, ...changes } : null;
}

/** Removes a record the server has confirmed. */
export async function confirmed(key) {
  await (await db()).delete("outbox", key);
  announce("outbox", { sent: key }); // the fill page that queued it shows the server's result (form.js)
}

/** Puts a "needs attention" record back in the queue (the user fixed something on the server side). */
export async function retry(key) {
  const rec = await get("outbox", key);
  if (!rec || rec.userId !== currentUser()) return false;
  await put("outbox", { ...rec, state: QUEUED, attempts: 0, serverErrors: 0, nextAttempt: 0, updated: Date.now() });
  announce("outbox");
  return true;
}

/**
 * Asks the browser for a Background Sync ("sync-outbox") where it exists. The service worker
 * answers the event by posting {type: "sync-outbox"} to its open pages, which then sync (sync.js):
 * the session, the CSRF token and the user id live in the page, not in the worker.
 */
export function requestBackgroundSync() {
  try {
    const sw = navigator.serviceWorker;
    if (!sw || !sw.controller) return;
    sw.ready.then((reg) => reg.sync?.register("sync-outbox")).catch(() => {});
  } catch { /* not available */ }
}

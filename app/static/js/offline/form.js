// What the fill page's runtime (static/js/form, a separate bundle) uses of the offline code. It is
// handed over as window.chumchon.offline by app.js, which every page loads first, so IndexedDB,
// the lock and the sync timer exist once per page (one copy of idb, one sync state).
import { DraftKeeper, deleteDraft, draftToRestore, draftUrl, labelOf, listDrafts, restoreInto } from "./drafts.js";
import { add, makeRecord } from "./outbox.js";
import { currentUser, get, keyOf, onChange } from "./store.js";
import { aboutOf } from "./about.js";
import { sendNow } from "./sync.js";

/**
 * Submits through the outbox: the complete submission is stored first (the draft deleted in the same
 * transaction), then sent at once when possible. Resolves to {kind, status, message_th, message_en}
 * with kind "sent" | "rejected" | "retry" | "auth" | "busy" | "offline".
 */
export async function submit({ view, xml, attachments, keeper = null }) {
  await keeper?.finish(); // no autosave may bring the draft back after this
  const root = view.root;
  const rec = makeRecord({
    instanceID: view.model.instanceID, formId: root.dataset.formId, version: root.dataset.version, xml,
    attachments, title: document.querySelector(".fill-title")?.textContent.trim() || root.dataset.formId,
    label: labelOf(view), about: aboutOf(view),
    url: root.dataset.submitUrl, // a draft's test records go to the draft (app/forms/draft_fill.py)
  });
  await add(rec);
  return sendNow(rec);
}

/**
 * Follows a record this page put in the outbox: `onSent()` once the server accepted it (sync.js, in
 * this tab or another), `onAttention(rec)` when the server refused it. Each is called at most once.
 */
export function watchSubmission(instanceID, { onSent = () => {}, onAttention = () => {} } = {}) {
  const key = keyOf(currentUser(), instanceID);
  let settled = false;
  onChange(async (e) => {
    if (settled) return;
    const info = e.detail || e.data || {};
    if (info.sent === key) {
      settled = true;
      onSent();
      return;
    }
    if (info.type !== "outbox") return;
    const rec = await get("outbox", key).catch(() => null);
    if (!settled && rec && rec.state === "attention") {
      settled = true;
      onAttention(rec);
    }
  });
}

/** True when drafts and the outbox can be used here (a signed-in user, IndexedDB present). */
export const available = () => Boolean(currentUser()) && "indexedDB" in window;

export const formApi = { available, submit, watchSubmission, DraftKeeper, draftToRestore, draftUrl, restoreInto,
  listDrafts, deleteDraft };

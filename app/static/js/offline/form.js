// What the fill page's runtime (static/js/form, a separate bundle) uses of the offline code. It is
// handed over as window.chumchon.offline by app.js, which every page loads first, so IndexedDB,
// the lock and the sync timer exist once per page (one copy of idb, one sync state).
import { DraftKeeper, draftToRestore, draftUrl, labelOf, restoreInto } from "./drafts.js";
import { add, makeRecord } from "./outbox.js";
import { currentUser } from "./store.js";
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
  });
  await add(rec);
  return sendNow(rec);
}

/** True when drafts and the outbox can be used here (a signed-in user, IndexedDB present). */
export const available = () => Boolean(currentUser()) && "indexedDB" in window;

export const formApi = { available, submit, DraftKeeper, draftToRestore, draftUrl, restoreInto };

// Drafts: the instance being filled, saved to IndexedDB as it is typed (debounced), with its
// attachments (Blobs), language, page and progress. A draft is created on the first answer, not on
// merely opening a form. From then on the page's URL is the draft's versioned URL
// (/forms/<id>/versions/<v>/fill?draft=<instanceID>), so a reload, a restored tab after a crash or
// a reboot reopens the same draft on the version it began on.
import { allFor, announce, currentUser, get, keyOf, put, remove } from "./store.js";
import { aboutOf } from "./about.js";

export const SAVE_DELAY_MS = 300;

const draftParam = () => new URLSearchParams(location.search).get("draft");

/** The draft to restore on this page (?draft=<instanceID>) for the signed-in user, or null. */
export async function draftToRestore() {
  const id = draftParam();
  const user = currentUser();
  if (!id || !user) return null;
  try {
    return (await get("drafts", keyOf(user, id))) || null;
  } catch (e) {
    console.warn("draft could not be read", e);
    return null;
  }
}

/**
 * Puts a saved draft into a freshly built model before the view binds it: the instance XML replaces
 * the template's primary instance (repeat templates were already taken from the template) and the
 * attachments come back as Blobs.
 */
export function restoreInto(model, draft) {
  const parsed = new DOMParser().parseFromString(draft.xml, "text/xml");
  if (parsed.querySelector("parsererror") || parsed.documentElement.nodeName !== model.root.nodeName) {
    throw new Error("the draft's XML does not fit this form");
  }
  const root = model.doc.importNode(parsed.documentElement, true);
  model.root.replaceWith(root);
  model.root = root;
  for (const [name, blob] of Object.entries(draft.attachments || {})) model.attachments.set(name, blob);
}

/** Text answers that name the record: meta/instanceName, else the first two text answers. */
export function labelOf(view) {
  const model = view.model;
  const named = model.find(`/${model.root.nodeName}/meta/instanceName`);
  if (named && named.textContent.trim()) return named.textContent.trim();
  const texts = [];
  for (const q of view.form.querySelectorAll('.q[data-widget="text"], .q[data-type="string"]')) {
    const v = q._node ? model.get(q._node).trim() : "";
    if (v && !texts.includes(v)) texts.push(v);
    if (texts.length === 2) break;
  }
  return texts.join(" · ");
}

/** Answered / relevant questions (notes, calculates and unsupported ones left out), 0..100. */
export function progressOf(view) {
  let total = 0;
  let answered = 0;
  for (const q of view.form.querySelectorAll(".q")) {
    const w = q.dataset.widget;
    if (!q._node || w === "note" || w === "unsupported" || q.closest(".nonrelevant, .instance-only")) continue;
    total++;
    if (view.model.get(q._node).trim() !== "") answered++;
  }
  return total ? Math.round((100 * answered) / total) : 0;
}

/** Keeps the open form saved as a draft. */
export class DraftKeeper {
  /** @param describe () => extra fields of the record (form/resume.js: the group it is about) */
  constructor(view, { restored = null, describe = null } = {}) {
    this.view = view;
    this.describe = describe;
    this.model = view.model;
    this.root = view.root;
    this.userId = currentUser();
    this.timer = null;
    this.saving = Promise.resolve();
    this.finished = false;
    this.created = restored?.created || null;
    if (!this.userId) return; // not signed in: nothing to keep it for
    const soon = () => this.schedule();
    this.model.addEventListener("change", soon);
    this.model.addEventListener("repeat", soon);
    // Page and language live in data attributes of #fill (view.js): watch them without touching view.js.
    new MutationObserver(() => (this.created ? this.schedule() : null))
      .observe(this.root, { attributes: true, attributeFilter: ["data-page", "data-li"] });
    const flush = () => this.flush();
    document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());
    window.addEventListener("pagehide", flush);
  }

  get key() {
    return keyOf(this.userId, this.model.instanceID);
  }

  schedule() {
    // The logic settling the rest of its first evaluation (form/logic.js settle()) is no answer.
    if (this.finished || !this.userId || this.view.logic?.initialising) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  /** Saves now if a save is pending. */
  flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      return this.save();
    }
    return this.saving;
  }

  record() {
    const { view, model, root } = this;
    const attachments = model.attachmentsInUse(); // model.js
    const now = Date.now();
    const formId = root.dataset.formId;
    const version = root.dataset.version;
    return {
      key: this.key,
      userId: this.userId,
      instanceID: model.instanceID,
      formId,
      version,
      title: document.querySelector(".fill-title")?.textContent.trim() || formId,
      // a draft's test link names its own page (app/forms/draft_fill.py); else the version's page
      fillUrl: root.dataset.fillUrl || `/forms/${encodeURIComponent(formId)}/versions/${encodeURIComponent(version)}/fill`,
      xml: model.serialize(),
      attachments,
      lang: Number(root.dataset.li || 0),
      page: view.page || 0,
      pages: view.pages?.length || 1,
      label: labelOf(view),
      about: aboutOf(view), // group name, village, assessment date (offline/about.js)
      progress: progressOf(view),
      ...(this.describe ? this.describe() : {}),
      created: this.created || now,
      updated: now,
    };
  }

  /** Says so on the page when the device refuses to keep the draft (storage full, private mode). */
  warnUnsaved(failed) {
    const root = this.view.root;
    let note = root.querySelector(".draft-unsaved");
    if (!failed) {
      if (note) note.hidden = true;
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "alert warning draft-unsaved";
      note.setAttribute("role", "alert");
      note.innerHTML = "เครื่องนี้บันทึกร่างไม่ได้ (พื้นที่อาจเต็ม) อย่าปิดหน้านี้จนกว่าจะส่งข้อมูล "
        + '<span class="en">This device could not keep the draft (storage may be full). Do not close this '
        + "page until the form is sent.</span>";
      root.prepend(note);
    }
    note.hidden = false;
  }

  save() {
    this.timer = null;
    if (this.finished || !this.model.instanceID) return this.saving;
    const rec = this.record();
    const first = !this.created;
    this.created = rec.created;
    this.saving = this.saving.then(() => put("drafts", rec)).then(() => {
      if (first) {
        this.pinUrl(rec);
        announce("drafts");
      }
      this.warnUnsaved(false);
    }).catch((e) => {
      console.warn("draft not saved", e);
      this.warnUnsaved(true);
    });
    return this.saving;
  }

  // The address bar now names the draft on its version: reload or a restored tab reopens it.
  pinUrl(rec) {
    const url = draftUrl(rec);
    if (location.pathname + location.search !== url) history.replaceState(history.state, "", url);
  }

  /** The draft became a submission (sent or in the outbox): stop saving; forget the draft's URL. The
   *  last answers typed are saved first, so a submission the device then cannot keep loses nothing. */
  async finish() {
    await this.flush();
    this.finished = true;
    clearTimeout(this.timer);
    await this.saving;
    // "Fill another" (href="") then opens a new record on the latest version.
    history.replaceState(history.state, "", this.root.dataset.fillUrl || `/forms/${encodeURIComponent(this.root.dataset.formId)}/fill`);
  }

  /** Drops this record's draft (the officer continues another one instead): nothing more is saved. */
  async discard() {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = null;
    await this.saving;
    if (this.created) await deleteDraft(this.key);
  }

  /** The submission could not be kept after all (finish() was early): go on saving the draft, under
   *  its address again, so a reload or a crash still reopens it. */
  resume() {
    this.finished = false;
    if (this.created) this.pinUrl(this.record());
    this.schedule();
  }
}

/** The address that reopens a draft on its own version. */
export const draftUrl = (rec) => `${rec.fillUrl}?draft=${encodeURIComponent(rec.instanceID)}`;

/** Drafts of the signed-in user, newest first. */
export async function listDrafts() {
  return (await allFor("drafts")).sort((a, b) => b.updated - a.updated);
}

export async function deleteDraft(key) {
  await remove("drafts", key);
  announce("drafts");
}


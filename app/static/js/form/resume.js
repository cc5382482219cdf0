// "Continue your draft?": opening a form that has unfinished drafts on this device (offline/drafts.js)
// offers to continue the latest ones or start new; choosing a group that has a draft offers to
// continue that group's latest draft. The group is the form's group question (the scored form's
// group_path, else a question named group or group_id), kept in each draft as `group`/`groupLabel`.
import { beDateTime, escapeHtml as esc } from "../util.js";

const SHOWN = 3;

/** The question that names the group the record is about, or null. */
export function groupQuestion(view) {
  let path = null;
  try {
    path = JSON.parse(document.getElementById("form-scoring")?.dataset.json || "null")?.group_path || null;
  } catch { /* a plain form */ }
  const candidates = path ? [`.q[data-path="${path}"]`] : ['.q[data-name="group"]', '.q[data-name="group_id"]'];
  for (const sel of candidates) {
    const q = Array.from(view.form.querySelectorAll(sel)).find((el) => !el.closest(".repeat"));
    if (q && q._node) return q;
  }
  return null;
}

/** {group, groupLabel} of the open record (for the draft record). */
export function groupOf(view) {
  const q = groupQuestion(view);
  const value = q ? view.model.get(q._node).trim() : "";
  if (!value) return { group: "", groupLabel: "" };
  const label = view.logic?.choiceLabel(q.dataset.path, value) ?? value;
  return { group: value, groupLabel: label };
}

function draftLine(d, url) {
  const who = d.groupLabel || d.label || "";
  return `<li class="draft-offer-item" data-instance-id="${esc(d.instanceID)}">` +
    `<a class="btn draft-continue" href="${esc(url(d))}">ทำต่อ <span class="en">Continue</span></a> ` +
    `<span class="draft-offer-what">${who ? `<strong>${esc(who)}</strong> · ` : ""}แก้ไขล่าสุด ${esc(beDateTime(d.updated))}` +
    ` · ตอบแล้ว ${esc(d.progress ?? 0)}% <span class="en">last edited, ${esc(d.progress ?? 0)} % answered</span></span></li>`;
}

const answers = (view) => new Map(Array.from(view.form.querySelectorAll(".q[data-path]"))
  .filter((q) => q._node && !["note", "unsupported"].includes(q.dataset.widget))
  .map((q) => [q, view.model.get(q._node)]));

export class DraftOffer {
  /** @param offline window.chumchon.offline (listDrafts, draftUrl, deleteDraft), @param keeper DraftKeeper */
  constructor(view, offline, keeper) {
    this.view = view;
    this.offline = offline;
    this.keeper = keeper;
    this.formId = view.root.dataset.formId;
    this.initial = answers(view); // as opened: defaults (today() …) are not the officer's answers
  }

  /** Answers the officer gave here besides the group's. */
  answeredBesidesGroup(groupQ) {
    let n = 0;
    for (const [q, v] of answers(this.view)) if (q !== groupQ && v !== (this.initial.get(q) ?? "")) n++;
    return n;
  }

  async drafts() {
    const all = await this.offline.listDrafts();
    return all.filter((d) => d.formId === this.formId && d.instanceID !== this.view.model.instanceID);
  }

  /** On opening a new record: the latest drafts of this form, to continue, or start new. */
  async offerOnOpen() {
    const drafts = await this.drafts();
    if (!drafts.length) return;
    const box = document.createElement("section");
    box.className = "draft-offer alert warning";
    box.setAttribute("aria-label", "แบบที่กรอกค้างไว้ / Unfinished drafts");
    box.innerHTML = `<p class="draft-offer-head"><strong>มีแบบนี้ที่กรอกค้างไว้ในเครื่อง ${drafts.length} ฉบับ</strong> ` +
      `<span class="en">${drafts.length} unfinished draft${drafts.length > 1 ? "s" : ""} of this form on this device</span></p>` +
      `<ul class="draft-offer-list">${drafts.slice(0, SHOWN).map((d) => draftLine(d, this.offline.draftUrl)).join("")}</ul>` +
      (drafts.length > SHOWN ? `<p><a href="/drafts">ดูทั้งหมด <span class="en">See them all</span></a></p>` : "") +
      '<p><button type="button" class="secondary draft-new">เริ่มแบบใหม่ <span class="en">Start new</span></button></p>';
    box.querySelector(".draft-new").addEventListener("click", () => box.remove());
    this.view.root.querySelector(".fill-head")?.after(box);
    this.openBox = box;
  }

  /** The group was chosen: its latest draft (other than this record), offered under the question. */
  async groupChosen(q, value) {
    q.querySelector(":scope > .draft-offer")?.remove();
    if (!value) return;
    const mine = (await this.drafts()).filter((d) => d.group === value);
    if (!mine.length || this.view.model.get(q._node).trim() !== value) return;
    const d = mine[0]; // newest first
    const box = document.createElement("div");
    box.className = "draft-offer alert warning";
    box.setAttribute("role", "status");
    box.innerHTML = `<p class="draft-offer-head"><strong>กลุ่มนี้มีแบบที่กรอกค้างไว้</strong> <span class="en">This group has an unfinished draft</span></p>` +
      `<ul class="draft-offer-list">${draftLine(d, this.offline.draftUrl)}</ul>` +
      '<p><button type="button" class="secondary draft-new">เริ่มใหม่ในหน้านี้ <span class="en">Start new here</span></button></p>';
    box.querySelector(".draft-new").addEventListener("click", () => box.remove());
    // Continuing that draft: this new one, holding only the group, is not kept as a second draft.
    box.querySelector(".draft-continue").addEventListener("click", async (e) => {
      if (this.answeredBesidesGroup(q) > 0 || !this.keeper) return;
      e.preventDefault();
      const href = e.currentTarget.href;
      await this.keeper.discard();
      location.href = href;
    });
    q.append(box);
  }

  /** Watches the group question; offers on open. */
  start() {
    const q = groupQuestion(this.view);
    if (q) {
      this.view.model.addEventListener("change", (e) => {
        if (e.detail.node === q._node) this.groupChosen(q, e.detail.value.trim());
      });
    }
    return this.offerOnOpen();
  }
}

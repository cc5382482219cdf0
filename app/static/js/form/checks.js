// Checks as the officer goes: what is wrong with an answer, said at the question in the form's
// language and the app's (Thai, English half), when it matters and no earlier:
// - typing: numbers are read as numbers (Thai digits and thousands separators accepted); letters
//   in a number and decimals in a whole number are refused with a message, and the instance holds
//   no value until the answer is a number; a message already shown clears as soon as it is fixed;
// - leaving a question (or choosing an option): its type, constraint and national-ID check;
// - Next: every required answer of the page too; the page stays, and the banner names the
//   questions; it goes as soon as the last one is fixed;
// - Submit: the whole form (form/submit.js).
import { escapeHtml } from "../util.js";

const pair = (th, en) => ({ th, en });
export const MSG = {
  required: pair("กรุณาตอบคำถามนี้", "This question needs an answer"),
  constraint: pair("คำตอบนี้ไม่ผ่านเงื่อนไขของแบบฟอร์ม", "This answer is not allowed"),
  letters: pair("ใส่ได้เฉพาะตัวเลข", "Numbers only: letters and other signs cannot be used"),
  decimals: pair("ต้องเป็นจำนวนเต็ม ไม่มีทศนิยม", "A whole number is needed: no decimals"),
  idLength: (n) => pair(`เลขประจำตัวประชาชนมี 13 หลัก (ใส่แล้ว ${n} หลัก)`, `A national ID has 13 digits (${n} typed)`),
  idCheck: pair("เลขหลักสุดท้าย (เลขตรวจสอบ) ไม่ตรงกับ 12 หลักแรก กรุณาตรวจกับบัตรอีกครั้ง",
    "The last digit (the check digit) does not match the first 12: check the number against the card"),
  pageMissing: (n, names) => pair(`ยังไม่ได้ตอบคำถามที่จำเป็น ${n} ข้อ: ${names}`,
    `${n} required question${n > 1 ? "s are" : " is"} not answered`),
  pageBroken: (n, names) => pair(`มีคำตอบที่ต้องแก้ ${n} ข้อ: ${names}`,
    `${n} answer${n > 1 ? "s need" : " needs"} correcting`),
};

/** A message in the form's language first: Thai with its English half, or English then Thai. */
export function bilingual(p, langCode = "th") {
  const th = escapeHtml(p.th);
  const en = escapeHtml(p.en);
  return langCode === "en" ? `<span lang="en">${en}</span> <span class="th-second" lang="th">${th}</span>`
    : `${th} <span class="en" lang="en">${en}</span>`;
}

/** Thai digits to 0-9; spaces, commas and underscores (thousands separators) dropped. */
export function normaliseDigits(text) {
  return String(text).replace(/[\u0E50-\u0E59]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).replace(/[\s,_]/g, "");
}

/** {value, error}: the instance value of a typed number ("" when blank or wrong), error null,
 *  "letters" or "decimals" (a decimal typed in a whole-number question). */
export function parseNumber(text, integer) {
  const t = normaliseDigits(text).replace(/^\+/, "");
  if (t === "") return { value: "", error: null };
  if (integer) {
    if (/^-?\d+$/.test(t)) return { value: t.replace(/^(-?)0+(?=\d)/, "$1"), error: null };
    return { value: "", error: /^-?(\d+\.\d*|\.\d+)$/.test(t) ? "decimals" : "letters" };
  }
  if (/^-?(\d+\.?\d*|\.\d+)$/.test(t)) return { value: t.replace(/\.$/, ""), error: null };
  return { value: "", error: "letters" };
}

/** The Thai national ID check: 13 digits, digit 13 = (11 - sum(d_i x (14 - i), i = 1..12) mod 11) mod 10. */
export function nationalIdProblem(value) {
  const v = normaliseDigits(value);
  if (!/^\d*$/.test(v)) return MSG.letters;
  if (v.length !== 13) return MSG.idLength(v.length);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(v[i]) * (13 - i);
  return (11 - (sum % 11)) % 10 === Number(v[12]) ? null : MSG.idCheck;
}

const isTrue = (expr) => (expr || "").replace(/\s/g, "") === "true()";
const SKIP = new Set(["note", "unsupported"]);

export class Checks {
  constructor(view) {
    this.view = view;
    this.banner = null; // {page, kind} when the status banner shows a page's problems
  }

  get lang() {
    return this.view.langCode || "th";
  }

  /** Is `q` required now (required="true()" or a required expression that holds)? */
  required(q) {
    const logic = this.view.logic;
    const b = logic?.binds.get(q.dataset.path);
    if (logic) return Boolean(b && b.required && (isTrue(b.required) || q._node._req));
    return isTrue(q.dataset.required) && !q.closest("[data-relevant]");
  }

  /** What is wrong with `q` now: null, or {kind: "type" | "required" | "constraint", html}. */
  problemOf(q, { required = true } = {}) {
    const { logic } = this.view;
    const n = q._node;
    if (!n || !n.isConnected || SKIP.has(q.dataset.widget)) return null;
    if (logic && !logic.isRelevant(n)) return null;
    if (q._typeError) return { kind: "type", html: bilingual(MSG[q._typeError], this.lang) };
    const empty = n.textContent.trim() === "";
    if (empty) {
      if (!required || !this.required(q)) return null;
      const custom = q.querySelector(":scope > .q-required-msg");
      return { kind: "required", html: custom ? custom.innerHTML : bilingual(MSG.required, this.lang) };
    }
    if (logic && n._bad) return { kind: "constraint", html: logic.constraintMessage(q, this.lang) };
    if (q.dataset.nationalId !== undefined) {
      const p = nationalIdProblem(n.textContent);
      if (p) return { kind: "constraint", html: bilingual(p, this.lang) };
    }
    return null;
  }

  /** Shows or clears `q`'s message. `show` false: only updates or clears one already shown (typing). */
  recheck(q, { show = true, required = false } = {}) {
    const shown = q.classList.contains("invalid");
    const p = this.problemOf(q, { required: required || (shown && q.dataset.problem === "required") });
    if (p && (show || shown)) this.#mark(q, p);
    else if (!p && shown) this.#unmark(q);
    this.refreshBanner();
    return p;
  }

  #mark(q, p) {
    this.view.showMessage(q, p.html);
    q.dataset.problem = p.kind;
  }

  #unmark(q) {
    this.view.clearMessage(q);
    delete q.dataset.problem;
  }

  /** Marks every problem under `scope` (a page, or the form); returns the questions in order. */
  validate(scope = null, required = true) {
    if (!scope) this.view.logic?.settle();
    const bad = [];
    for (const q of (scope || this.view.form).querySelectorAll(".q[data-path]")) {
      const p = this.problemOf(q, { required });
      if (p) {
        this.#mark(q, p);
        bad.push(q);
      } else if (q.classList.contains("invalid")) this.#unmark(q);
    }
    return bad;
  }

  /** Next: the page's problems, named in the banner; the page stays. True when there are none. */
  checkPage(page) {
    const bad = this.validate(page, true);
    if (!bad.length) {
      this.clearBanner();
      return true;
    }
    this.showBanner(bad, this.view.pageOf(page));
    bad[0].scrollIntoView?.({ block: "center" });
    bad[0].querySelector("input:not([type=hidden]), select, textarea")?.focus({ preventScroll: true });
    return false;
  }

  /** The status banner naming the questions (`page`: the page they are on, or null for the form). */
  showBanner(bad, page = null) {
    const missing = bad.filter((q) => q.dataset.problem === "required");
    const broken = bad.filter((q) => q.dataset.problem !== "required");
    const names = (qs) => qs.slice(0, 5).map((q) => `«${this.labelOf(q)}»`).join(", ") + (qs.length > 5 ? " …" : "");
    const parts = [];
    if (missing.length) parts.push(bilingual(MSG.pageMissing(missing.length, names(missing)), this.lang));
    if (broken.length) parts.push(bilingual(MSG.pageBroken(broken.length, names(broken)), this.lang));
    this.view.status(parts.join("<br>"), "error");
    this.banner = { page };
  }

  clearBanner() {
    if (this.banner) this.view.status("");
    this.banner = null;
  }

  /** The banner goes as soon as its page (or the form) has nothing left to fix. */
  refreshBanner() {
    if (!this.banner) return;
    const scope = this.banner.page === null ? this.view.form : this.view.pages[this.banner.page];
    if (!scope || !scope.querySelector(".q.invalid")) this.clearBanner();
  }

  /** The form's language changed: the messages and the banner shown are written again in it. */
  languageChanged() {
    const shown = Array.from(this.view.form.querySelectorAll(".q.invalid[data-problem]"));
    for (const q of shown) {
      const p = this.problemOf(q, { required: q.dataset.problem === "required" });
      if (p) this.#mark(q, p);
    }
    if (this.banner) {
      const scope = this.banner.page === null ? this.view.form : this.view.pages[this.banner.page];
      const bad = shown.filter((q) => scope?.contains(q) && q.classList.contains("invalid"));
      if (bad.length) this.showBanner(bad, this.banner.page);
    }
  }

  /** A question's label as shown now (current language, without the required mark), short. */
  labelOf(q) {
    const label = q.querySelector(":scope > .q-label")?.cloneNode(true);
    if (!label) return q.dataset.name || "";
    const li = this.view.form.dataset.li || "0";
    label.querySelectorAll(`.req, .tr:not([data-li="${li}"])`).forEach((e) => e.remove());
    const text = label.textContent.replace(/\s+/g, " ").trim();
    return text.length > 60 ? text.slice(0, 57) + "…" : text;
  }
}

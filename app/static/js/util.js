// Small helpers shared by the form runtime, the meeting screen and the offline pages: one place for
// HTML escaping, the page's embedded <script> data (base64 when the server marks it so) and the
// Thai Buddhist-Era dates (year + 543), so the modules cannot drift apart.
// Thai words a line must never break inside (app/thai_words.json, app/thai_text.py): ICU's dictionary
// cuts "ธรรมาภิบาล" and splits compounds such as "รับผิดชอบ".
import { words as thaiWords } from "../../thai_words.json";

/** `s` safe to put in HTML text or a quoted attribute; null/undefined give "". */
export const escapeHtml = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** UTF-8 text of base64 `b64`; throws on bad base64 (or, with fatal, on bad UTF-8). */
export function base64Text(b64, fatal = false) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal }).decode(bytes);
}

/** The text a data <script> element carries, decoded when data-encoding="base64". */
export function scriptText(el) {
  const text = el.textContent.trim();
  return el.dataset.encoding === "base64" ? base64Text(text) : text;
}

const THAI_MONTHS_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];

/** Buddhist-Era year of a Common-Era year. */
export const beYear = (ceYear) => Number(ceYear) + 543;

/** "10 มี.ค. 2567" of an ISO date (YYYY-MM-DD...), as the server's templates write it. */
export function beDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!m) return "";
  return `${Number(m[3])} ${THAI_MONTHS_SHORT[Number(m[2]) - 1]} ${beYear(m[1])}`;
}

let beDateTimeFormat = null; // made on first use, so bundles that never format one drop it

/** Date and time (Bangkok, Buddhist calendar) of an epoch-milliseconds timestamp. */
export function beDateTime(ms) {
  beDateTimeFormat ||= new Intl.DateTimeFormat("th-TH-u-ca-buddhist", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Bangkok" });
  return beDateTimeFormat.format(new Date(ms));
}

// Thai words a line must never break inside: see keepWords() below.

let keepPattern = null;
/** The listed words, longest first, as one global pattern (also walked over the page: thai-words.js). */
export function keepWordsPattern() {
  keepPattern ||= new RegExp([...thaiWords].sort((a, b) => b.length - a.length).join("|"), "g");
  return keepPattern;
}

/** Escaped HTML text with the listed words wrapped in <span class="nw"> (white-space: nowrap). */
export function keepWords(html) {
  return String(html).replace(keepWordsPattern(), (w) => `<span class="nw">${w}</span>`);
}

/** `s` escaped for HTML with the listed Thai words kept whole. */
export const escapeKeep = (s) => keepWords(escapeHtml(s));

/** The assessment round (Thai fiscal year, B.E., 1 Oct - 30 Sep) of an ISO date (app/periods.py). */
export function fiscalYear(iso) {
  const m = /^(\d{4})-(\d{2})/.exec(iso || "");
  if (!m) return null;
  return beYear(Number(m[1]) + (Number(m[2]) >= 10 ? 1 : 0));
}

/** A percentage as the meeting screen shows it: whole, halves up (app/scoring/views.py whole()). */
export const whole = (x) => (x === null || x === undefined || x === "" ? null : Math.floor(Number(x) + 0.5));

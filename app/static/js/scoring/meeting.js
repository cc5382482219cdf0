// The meeting screen ("show to the group") drawn in the browser, and its layout in meeting mode.
//
// - screenOf() / screenHtml(): the same elements, classes and data attributes as
//   templates/scoring/_screen.html, from the same data the JSON route gives
//   (/api/v1/submissions/<id>/score); app/scoring/views.py screen() is the Python twin of screenOf().
// - layoutMeeting(): packs the screen's blocks (summary, one per principle, lists, plans) into screens
//   that fit without cutting anything, and steps through them (large buttons, arrow and page keys).
// - MeetingScreen: on the fill page, the JavaScript twin's result marked provisional, shown only once
//   every scored question is answered; the server's result takes over by itself as soon as the
//   submission is accepted (sent at once, or later from the outbox), saying so and what changed.
//   It is this bundle (dist/meeting.js, the server page's too, with the scoring twin score.js),
//   loaded by the fill page only when the officer reaches the last page or submits (form/index.js).
// No inline styles: colours and widths are SVG attributes.
import { score } from "./score.js";
import { beDate, escapeHtml as esc, escapeKeep as keep, fiscalYear, whole } from "../util.js";

const TH = /\(th\)|thai|ไทย/i;
const EN = /\(en\)|english/i;
const MEETING_CONTRAST = 7;
const DEFAULT_LEVEL_COLOUR = "#5b6470";

/** {th, en} of a {language: text} label (app/scoring/views.py texts()). */
export function texts(label) {
  label = label || {};
  const entries = Object.entries(label);
  let th = entries.find(([k, v]) => TH.test(k) && v)?.[1];
  th = th || label.default || entries.find(([, v]) => v)?.[1] || "";
  const en = entries.find(([k, v]) => EN.test(k) && v)?.[1] || "";
  return { th, en: en !== th ? en : "" };
}

// ---- colours: the level badge reads at 7:1 (app/scoring/views.py badge_colours) ------------------

function rgbOf(colour) {
  let c = String(colour || "").trim().replace(/^#/, "");
  if (c.length === 3) c = c.split("").map((x) => x + x).join("");
  if (!/^[0-9a-fA-F]{6}$/.test(c)) return null;
  return [0, 2, 4].map((i) => parseInt(c.slice(i, i + 2), 16));
}

export function luminance(rgb) {
  const lin = (x) => { const v = x / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const [r, g, b] = rgb.map(lin);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const hex = (rgb) => "#" + rgb.map((x) => x.toString(16).padStart(2, "0")).join("");

/** {fill, ink}: the level colour, darkened (white text) or lightened (black text) in 5 % steps until 7:1. */
export function badgeColours(colour) {
  const rgb = rgbOf(colour) || rgbOf(DEFAULT_LEVEL_COLOUR);
  for (let k = 0; k <= 20; k++) {
    const dark = rgb.map((x) => Math.floor((x * (20 - k) + 10) / 20));
    if (contrast(dark, [255, 255, 255]) >= MEETING_CONTRAST) return { fill: hex(dark), ink: "#ffffff" };
    const light = rgb.map((x) => x + Math.floor(((255 - x) * k + 10) / 20));
    if (contrast(light, [0, 0, 0]) >= MEETING_CONTRAST) return { fill: hex(light), ink: "#000000" };
  }
  return { fill: "#000000", ink: "#ffffff" };
}

/** Black or white text on a level colour (kept for callers of the old name). */
export const inkFor = (colour) => badgeColours(colour).ink;

// ---- what the screen shows ------------------------------------------------------------------------

/** What the screen shows, from the JSON payload (app/scoring/views.py screen()). */
export function screenOf(payload) {
  const result = payload.result;
  const changes = payload.changes || {};
  const level = result.level;
  const shown = whole(result.percent);
  const badge = badgeColours(level?.colour || DEFAULT_LEVEL_COLOUR);
  const prev = payload.previous;
  let previous = null;
  if (prev) {
    const before = whole(prev.percent);
    previous = { date_th: beDate(prev.assessed_on), level: prev.level_label || null, whole: before,
      points: shown === null || before === null ? null : shown - before };
  }
  return {
    group: payload.group_label || { th: "", en: "" },
    level: level ? { ...texts(level.label), name: level.name, colour: badge.fill, ink: badge.ink } : null,
    total: result.total, max: result.max, percent: result.percent, whole: shown,
    groups: result.groups.map((g) => {
      const change = changes[g.name] || null;
      const now = whole(g.percent);
      const before = change ? whole(change.before) : null;
      return { ...texts(g.label), name: g.name, score: g.score, max: g.max, percent: g.percent, whole: now,
        passed: g.passed, pass_mark: g.pass_mark ?? null,
        change: change ? { ...change, before_whole: before, points: now === null ? null : now - before } : null,
        advice: g.passed === false ? texts(g.advice) : null };
    }),
    strengths: result.strengths.map((s) => ({ ...texts(s.label), ...s })),
    weaknesses: result.weaknesses.map((w) => ({ ...texts(w.label), ...w })),
    advice: result.advice.map((a) => ({ group: texts(a.label), advice: texts(a.advice) })),
    has_previous: prev != null, previous,
    date_th: beDate(payload.assessed_on), fiscal_year: fiscalYear(payload.assessed_on),
    round_year: payload.round_year ?? null,
  };
}

const num = (x) => (x === null || x === undefined ? "—" : String(x));
const pct = (x) => `${num(x)}%`;
const verdictClass = (passed) => (passed === true ? "pass" : passed === false ? "fail" : "none");
const textsHtml = (t, cls = "") => `<span class="mt-th ${cls}">${keep(t.th)}</span>${t.en ? ` <span class="en mt-en">${esc(t.en)}</span>` : ""}`;
const verdictHtml = (passed) => (passed === true ? '✓ ผ่าน <span class="en">pass</span>'
  : passed === false ? '✗ <span class="nw">ไม่ผ่าน</span> <span class="en">not yet</span>' : "–");
const changeHtml = (p) => `<span class="mt-change ${p > 0 ? "up" : p < 0 ? "down" : "same"}" data-points="${esc(p)}">${p > 0 ? "▲ +" : p < 0 ? "▼ " : "＝ "}${esc(p)}</span>`;

function barSvg(g) {
  const mark = g.pass_mark === null ? "" : `<line class="mt-bar-mark" x1="${esc(g.pass_mark)}" y1="0" x2="${esc(g.pass_mark)}" y2="10"></line>`;
  return `<svg class="mt-bar-svg" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">` +
    `<rect class="mt-bar-track" x="0" y="0" width="100" height="10"></rect>` +
    `<rect class="mt-bar-fill ${verdictClass(g.passed)}" x="0" y="0" width="${esc(g.percent || 0)}" height="10"></rect>${mark}</svg>`;
}

function listHtml(items, empty) {
  if (!items.length) return `<li class="mt-empty">${empty}</li>`;
  return items.map((s) => `<li data-name="${esc(s.name)}">${keep(s.th)} <span class="mt-pts">${esc(s.score)}/${esc(s.max)}</span></li>`).join("");
}

function levelHtml(lv) {
  return lv
    ? `<div class="mt-level ink-${lv.ink === "#000000" ? "dark" : "light"}" data-level="${esc(lv.name)}">` +
      `<svg class="mt-level-bg" viewBox="0 0 10 10" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="0" width="10" height="10" fill="${esc(lv.colour)}"></rect></svg>` +
      `<span class="mt-level-name"><span class="mt-th">${keep(lv.th)}</span>${lv.en ? ` <span class="mt-en">${esc(lv.en)}</span>` : ""}</span></div>`
    : '<div class="mt-level mt-level-none" data-level=""><span class="mt-level-name"><span class="mt-th">ยังไม่มีผล</span> <span class="mt-en">No result</span></span></div>';
}

/** The screen's blocks (the _screen.html macro's twin). */
export function screenHtml(view, { provisional = false, needsCorrection = false } = {}) {
  const prev = view.previous;
  const previous = prev
    ? `<p class="mt-previous">ครั้งก่อน <span class="en">last time</span> <span class="mt-previous-date">${esc(prev.date_th)}</span>:` +
      ` ${prev.level ? `<span class="mt-previous-level">${keep(prev.level.th)}</span> ` : ""}<span class="mt-previous-percent">${pct(prev.whole)}</span>` +
      `${prev.points !== null ? ` → ${changeHtml(prev.points)}` : ""}</p>`
    : "";
  const overview = view.groups.map((g) =>
    `<li class="mt-ov ${verdictClass(g.passed)}" data-group="${esc(g.name)}"><span class="mt-ov-name">${textsHtml(g)}</span> ` +
    `<span class="mt-ov-result"><span class="mt-ov-percent">${pct(g.whole)}</span> <span class="mt-ov-verdict">${verdictHtml(g.passed)}</span></span></li>`).join("");
  const bars = view.groups.map((g) => {
    let change = "";
    if (g.change) change = ` <span class="mt-bar-change" data-change="${esc(g.change.change)}">${changeHtml(g.change.points)} <span class="mt-change-before">(เดิม ${pct(g.change.before_whole)})</span></span>`;
    else if (view.has_previous) change = ' <span class="mt-bar-change">–</span>';
    return `<section class="mt-block mt-bar ${verdictClass(g.passed)}" data-group="${esc(g.name)}" data-percent="${esc(num(g.percent))}" data-passed="${g.passed === null ? "none" : String(g.passed)}">` +
      `<h2 class="mt-bar-head"><span class="mt-bar-label">${textsHtml(g)}</span> <span class="mt-bar-verdict">${verdictHtml(g.passed)}</span></h2>` +
      `<p class="mt-bar-nums"><span class="mt-bar-percent">${pct(g.whole)}</span> <span class="mt-bar-points">${esc(g.score)}/${esc(g.max)} คะแนน <span class="en">points</span></span>${change}</p>` +
      barSvg(g) +
      (g.advice && g.advice.th ? `<p class="mt-bar-advice">→ ${keep(g.advice.th)}${g.advice.en ? ` <span class="en">${esc(g.advice.en)}</span>` : ""}</p>` : "") +
      "</section>";
  }).join("");
  const advice = view.advice.length
    ? view.advice.map((a) => `<li data-group="${esc(a.group.th)}"><strong>${keep(a.group.th)}</strong>: ${keep(a.advice.th)}${a.advice.en ? ` <span class="en">${esc(a.advice.en)}</span>` : ""}</li>`).join("")
    : '<li class="mt-empty">ผ่านทุกหลัก <span class="en">Every principle passed</span></li>';
  return `<section class="mt-block mt-top" data-block="summary"><header class="mt-head"><div class="mt-who">` +
    `<h1 class="mt-group">${textsHtml(view.group)}</h1>` +
    `<p class="mt-date">${esc(view.date_th)}${view.fiscal_year ? ` · <span class="mt-round">ปีงบประมาณ ${esc(view.fiscal_year)} <span class="en">fiscal year</span></span>` : ""}</p>` +
    `<p class="mt-provisional"${provisional ? "" : " hidden"}>ผลเบื้องต้น ยังไม่ได้ส่ง <span class="en">Provisional, not yet sent</span></p>` +
    (needsCorrection ? '<p class="mt-correction">ข้อมูลนี้ต้องแก้ไข ผลอาจเปลี่ยน <span class="en">Needs correction; the result may change</span></p>' : "") +
    `</div><div class="mt-summary">${levelHtml(view.level)}` +
    `<p class="mt-total"><span class="mt-total-percent">${pct(view.whole)}</span> ` +
    `<span class="mt-total-points"><span class="mt-total-score">${esc(num(view.total))}</span> / <span class="mt-total-max">${esc(num(view.max))}</span> คะแนน <span class="en">points</span></span></p>` +
    `</div></header>${previous}<ul class="mt-overview" aria-label="คะแนนรายหลัก / Scores by principle">${overview}</ul></section>` +
    bars +
    `<section class="mt-block mt-side" data-block="lists">` +
    `<div class="mt-list mt-strengths"><h2 class="mt-h">จุดเด่น <span class="en">Strengths</span></h2><ul>${listHtml(view.strengths, "–")}</ul></div>` +
    `<div class="mt-list mt-weaknesses"><h2 class="mt-h">จุดที่ควรพัฒนา <span class="en">To improve</span></h2><ul>${listHtml(view.weaknesses, "–")}</ul></div>` +
    `<div class="mt-list mt-advice"><h2 class="mt-h">ข้อเสนอแนะ <span class="en">Advice</span></h2><ul>${advice}</ul></div></section>`;
}

/** The step controls (the _screen.html steps() macro's twin). */
export const STEPS_HTML = '<nav class="mt-steps" aria-label="หน้าจอ / Screens" hidden>' +
  '<button type="button" class="mt-step-back">‹ ก่อนหน้า <span class="en">Back</span></button>' +
  '<span class="mt-step-count" aria-live="polite"><span class="mt-step-no">1</span> / <span class="mt-step-total">1</span></span>' +
  '<button type="button" class="mt-step-next">ถัดไป <span class="en">Next</span> ›</button></nav>';

// ---- layout: blocks packed into screens, one screen at a time -------------------------------------

/**
 * Packs the blocks of a visible meeting element into screens (in order, as many as fit the stage's
 * height; a block taller than the stage gets a screen of its own, which then scrolls) and shows
 * screen `step`. Called on open, on resize and when the fonts have loaded.
 */
export function layoutMeeting(el, step = 0) {
  const stage = el.querySelector(".mt-screen");
  if (!stage || el.hidden) return;
  const blocks = Array.from(stage.children).filter((b) => b.classList.contains("mt-block"));
  for (const b of blocks) b.classList.remove("mt-off");
  delete el.dataset.layout;
  const height = stage.clientHeight;
  const gap = parseFloat(getComputedStyle(stage).rowGap) || 0;
  const screens = [];
  let current = [];
  let used = 0;
  for (const b of blocks) {
    const h = b.getBoundingClientRect().height;
    const need = current.length ? used + gap + h : h;
    if (current.length && need > height + 0.5) {
      screens.push(current);
      current = [b];
      used = h;
    } else {
      current.push(b);
      used = need;
    }
  }
  if (current.length) screens.push(current);
  screens.forEach((s, i) => s.forEach((b) => { b.dataset.screen = String(i); }));
  el._screens = screens;
  el.dataset.layout = screens.length > 1 ? "steps" : "all";
  el.dataset.laidOut = `${window.innerWidth}x${window.innerHeight}`; // for tests: laid out for this size
  showScreen(el, step);
}

/** Shows screen `i` of a laid-out meeting element. */
export function showScreen(el, i) {
  const screens = el._screens || [];
  if (!screens.length) return;
  i = Math.max(0, Math.min(i, screens.length - 1));
  el.dataset.step = String(i);
  for (const [k, s] of screens.entries()) for (const b of s) b.classList.toggle("mt-off", k !== i);
  const stage = el.querySelector(".mt-screen");
  stage.scrollTop = 0;
  el.classList.toggle("mt-tall", screens[i].length === 1 && screens[i][0].getBoundingClientRect().height > stage.clientHeight + 0.5);
  const nav = el.querySelector(".mt-steps");
  if (nav) {
    nav.hidden = screens.length < 2;
    nav.querySelector(".mt-step-no").textContent = String(i + 1);
    nav.querySelector(".mt-step-total").textContent = String(screens.length);
    nav.querySelector(".mt-step-back").disabled = i === 0;
    nav.querySelector(".mt-step-next").disabled = i === screens.length - 1;
  }
}

const stepOf = (el) => Number(el.dataset.step || 0);

/** Step buttons, keys (→ PageDown space: next; ← PageUp: back), re-layout on resize and font load. */
export function wireLayout(el, { onEscape = null } = {}) {
  if (el._wired) return;
  el._wired = true;
  el.querySelector(".mt-step-back")?.addEventListener("click", () => showScreen(el, stepOf(el) - 1));
  el.querySelector(".mt-step-next")?.addEventListener("click", () => showScreen(el, stepOf(el) + 1));
  document.addEventListener("keydown", (e) => {
    if (el.hidden || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target.closest?.("input, textarea, select")) return;
    if (["ArrowRight", "PageDown", " "].includes(e.key)) showScreen(el, stepOf(el) + 1);
    else if (["ArrowLeft", "PageUp"].includes(e.key)) showScreen(el, stepOf(el) - 1);
    else if (e.key === "Escape" && onEscape) onEscape();
    else return;
    e.preventDefault();
  });
  let timer = null;
  const again = () => {
    clearTimeout(timer);
    timer = setTimeout(() => layoutMeeting(el, stepOf(el)), 100);
  };
  window.addEventListener("resize", again);
  document.fonts?.addEventListener?.("loadingdone", again);
  document.fonts?.ready?.then(again);
}

/** Print and full-screen buttons of a meeting element. */
export function wireTools(el) {
  el.querySelector(".mt-print")?.addEventListener("click", () => window.print());
  const fs = el.querySelector(".mt-fullscreen");
  if (fs) {
    if (!document.fullscreenEnabled) fs.hidden = true;
    fs.addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen?.();
      else el.requestFullscreen?.().catch(() => {});
    });
  }
}

// ---- the fill page ---------------------------------------------------------------------------------

function todayIso() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Answers by indicator name from the live instance; non-relevant ones blank, as they are sent. */
export function answersOf(view, spec) {
  const answers = {};
  const blank = view.logic?.blank;
  for (const ind of spec.indicators) {
    const node = view.model.find(ind.path);
    answers[ind.name] = !node || (blank && blank(node)) ? "" : view.model.get(node);
  }
  return answers;
}

/**
 * The questions still to answer before the result means anything: for each relevant indicator, the
 * relevant questions on screen it depends on (itself for a select; the inputs of a calculate,
 * through other calculates) that are blank. Returns [{indicator, questions: [.q elements]}].
 */
export function unansweredScored(view, spec) {
  const { model, logic } = view;
  const calcReads = new Map();
  for (const t of logic?.tasks || []) if (t.kind === "calculate") calcReads.set(t.path, t.reads);
  const question = (node) => (node?._views || []).find((v) => v.classList?.contains("q") && v.dataset.widget !== "note");
  const relevant = (node) => !logic || logic.isRelevant(node);
  const inputs = (path, seen = new Set()) => {
    if (seen.has(path)) return [];
    seen.add(path);
    const node = model.find(path);
    if (!node || !relevant(node)) return [];
    if (question(node)) return [node];
    return (calcReads.get(path) || []).filter((r) => r.startsWith("/")).flatMap((r) => inputs(r, seen));
  };
  const out = [];
  for (const ind of spec.indicators) {
    const blank = inputs(ind.path).filter((n) => model.get(n).trim() === "").map(question);
    if (blank.length) out.push({ indicator: ind, questions: blank });
  }
  return out;
}

const LEFT_MSG = (n) => `ยังแสดงผลไม่ได้: ยังไม่ได้ตอบคำถามที่มีคะแนนอีก ${n} ข้อ <span class="en">No result yet: ${n} scored question${n > 1 ? "s are" : " is"} not answered</span>`;

/** The differences between the provisional result and the server's: [{th, en}] (empty: the same). */
export function differences(provisional, server) {
  const a = provisional.result;
  const b = server.result;
  const out = [];
  const lv = (r) => (r.level ? texts(r.level.label).th : "–");
  if ((a.level?.name || "") !== (b.level?.name || "")) out.push({ th: `ระดับ ${lv(a)} → ${lv(b)}`, en: "level" });
  if (whole(a.percent) !== whole(b.percent)) out.push({ th: `คะแนนรวม ${pct(whole(a.percent))} → ${pct(whole(b.percent))}`, en: "total" });
  const before = new Map(a.groups.map((g) => [g.name, g]));
  for (const g of b.groups) {
    const p = before.get(g.name);
    if (!p || whole(p.percent) !== whole(g.percent) || p.passed !== g.passed) {
      out.push({ th: `${texts(g.label).th} ${p ? pct(whole(p.percent)) : "–"} → ${pct(whole(g.percent))}`, en: texts(g.label).en });
    }
  }
  return out;
}

/**
 * Adds "show to the group" to a scored form's fill page. `scoring` is the page's #form-scoring
 * JSON: {spec, group_path, date_path, name_path, group_choices: {name: {th, en}}, score_url, title}.
 */
export class MeetingScreen {
  constructor(root, view, scoring) {
    this.root = root;
    this.view = view;
    this.scoring = scoring;
    this.server = null; // the server's payload once the submission is received
    this.shownProvisional = null; // the provisional payload at the submit, for the comparison
    this.el = null;
    this.button = root.querySelector(".show-meeting");
    const submit = root.querySelector(".fill-pager .submit");
    if (this.button && submit) {
      const sync = () => { this.button.hidden = submit.hidden; };
      new MutationObserver(sync).observe(submit, { attributes: true, attributeFilter: ["hidden"] });
      sync();
      this.button.addEventListener("click", () => this.open());
    }
    new MutationObserver(() => {
      if (root.dataset.state === "done") this.received();
    }).observe(root, { attributes: true, attributeFilter: ["data-state"] });
    // An outbox item of this page accepted later (form/submit.js): the server's result takes over.
    root.addEventListener("chumchon:accepted", () => this.received(true));
    // Loaded after the submit (or its acceptance) already happened: catch up.
    if (root.dataset.accepted === "true") this.received(true);
    else if (root.dataset.state === "done") this.received();
  }

  /** The provisional payload computed in the browser (same shape as the JSON route's). */
  provisional() {
    const { spec, group_path: groupPath, date_path: datePath, group_choices: choices } = this.scoring;
    const model = this.view.model;
    const value = (path) => (path ? model.get(model.find(path)).trim() : "");
    const ref = value(groupPath);
    const date = value(datePath).slice(0, 10);
    const iso = /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : todayIso();
    // The order of app/scoring/views.py group_label(): choice label, group_name answer, id, title.
    const named = value(this.scoring.name_path);
    const listed = ref && groupPath ? this.view.logic?.choiceLabel(groupPath, ref) : null; // groups.csv's label
    const label = (ref && choices && choices[ref]) || (listed && listed !== ref ? { th: listed, en: "" } : null) ||
      (named ? { th: named, en: "" } : null) || { th: ref || this.scoring.title || "", en: "" };
    return {
      instance_id: model.instanceID, group_ref: ref || null, group_label: label, assessed_on: iso,
      round_year: Number(iso.slice(0, 4)) + 543, needs_correction: false,
      result: score(spec, answersOf(this.view, spec)), previous: this.#previous(groupPath, ref, iso), changes: {},
    };
  }

  // The group's last assessment, from the registry's groups.csv in the page (app/registry/media.py:
  // last_assessed, last_percent, last_level), so the offline screen shows "last time" with its date.
  #previous(groupPath, ref, iso) {
    const { logic, model } = this.view;
    const itemset = ref && groupPath ? logic?.binds.get(groupPath)?.itemset : null;
    const root = itemset?.instance ? model.doc.querySelector(`instance[id="${CSS.escape(itemset.instance)}"] > *`) : null;
    const key = itemset?.value || "name";
    const item = root ? Array.from(root.children).find((i) => i.querySelector(`:scope > ${key}`)?.textContent === ref) : null;
    const col = (name) => item?.querySelector(`:scope > ${name}`)?.textContent || "";
    const day = col("last_assessed");
    if (!day || day > iso) return null;
    const level = (this.scoring.spec.levels || []).find((l) => l.name === col("last_level"));
    return { assessed_on: day, percent: col("last_percent") === "" ? null : Number(col("last_percent")),
      level_name: col("last_level") || null, level_label: level ? texts(level.label) : null };
  }

  #element() {
    if (this.el) return this.el;
    const el = document.createElement("div");
    el.className = "meeting";
    el.id = "meeting";
    el.hidden = true;
    el.innerHTML = '<div class="mt-screen"></div><footer class="mt-bottom">' + STEPS_HTML + '<span class="mt-tools">' +
      '<button type="button" class="secondary mt-close">‹ ปิด <span class="en">Close</span></button>' +
      '<button type="button" class="secondary mt-print">พิมพ์ <span class="en">Print</span></button>' +
      '<button type="button" class="secondary mt-fullscreen">เต็มจอ <span class="en">Full screen</span></button></span>' +
      '<span class="mt-foot"></span></footer>';
    el.querySelector(".mt-close").addEventListener("click", () => this.close());
    wireTools(el);
    wireLayout(el, { onEscape: () => this.close() });
    document.body.append(el);
    this.el = el;
    return el;
  }

  render(payload, provisional) {
    const el = this.#element();
    const step = el.hidden ? 0 : Number(el.dataset.step || 0);
    el.dataset.source = provisional ? "provisional" : "server";
    el.dataset.instanceId = payload.instance_id || "";
    el.querySelector(".mt-screen").innerHTML = screenHtml(screenOf(payload), { provisional, needsCorrection: !!payload.needs_correction });
    if (!provisional && this.shownProvisional) {
      // Say that the server's result took over, and what differs from the provisional one.
      const diff = differences(this.shownProvisional, payload);
      const note = document.createElement("p");
      note.className = "mt-server";
      note.innerHTML = "ผลจากเซิร์ฟเวอร์ (ส่งแล้ว) " + (diff.length
        ? `ต่างจากผลเบื้องต้น <span class="en">The server's result (sent) differs from the provisional one</span><span class="mt-server-diff">${diff.map((d) => keep(d.th)).join(" · ")}</span>`
        : 'ตรงกับผลเบื้องต้น <span class="en">The server\'s result (sent): the same as the provisional one</span>');
      el.querySelector(".mt-who").append(note);
    }
    el.querySelector(".mt-foot").textContent = `${this.scoring.title || ""} · ${payload.instance_id || ""}`;
    if (!el.hidden) layoutMeeting(el, step);
  }

  /** Shows the server's result when there is one, else the provisional one (once every scored
   *  question is answered; before the submit, a message says how many are left). */
  open() {
    if (this.server) this.render(this.server, false);
    else {
      const left = this.root.dataset.state === "done" ? [] : unansweredScored(this.view, this.scoring.spec);
      if (left.length) {
        this.view.status(LEFT_MSG(new Set(left.flatMap((l) => l.questions)).size), "error");
        this.view.reveal(left[0].questions[0]);
        return false;
      }
      this.render(this.provisional(), true);
    }
    this.el.hidden = false;
    document.documentElement.classList.add("meeting-open");
    layoutMeeting(this.el, 0);
    return true;
  }

  close() {
    if (!this.el) return;
    this.el.hidden = true;
    document.documentElement.classList.remove("meeting-open");
    if (document.fullscreenElement) document.exitFullscreen?.();
  }

  /** After a submit: fetch the server's result (offline, the provisional one stays until the
   *  outbox item is accepted: then `accepted` is true and the server's result takes over). */
  received(accepted = false) {
    if (accepted) this.acceptedLater = true;
    this.loading ||= this.#load().finally(() => { this.loading = null; });
    return this.loading;
  }

  async #load() {
    const accepted = !!this.acceptedLater;
    const id = this.root.querySelector(".done .done-id")?.textContent || this.view.model.instanceID;
    const done = this.root.querySelector(".done");
    if (!this.shownProvisional) this.shownProvisional = this.provisional();
    if (done && !done.querySelector(".show-meeting")) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "show-meeting";
      again.innerHTML = 'แสดงผลต่อกลุ่ม <span class="en">Show to the group</span>';
      again.addEventListener("click", () => this.open());
      done.querySelector(".row")?.prepend(again);
    }
    if (!id || !this.scoring.score_url || this.server) return;
    if (!accepted && done?.dataset.kind && done.dataset.kind !== "sent") return; // waits in the outbox
    try {
      const r = await fetch(this.scoring.score_url.replace("__ID__", encodeURIComponent(id)), {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!r.ok) return;
      this.server = await r.json();
    } catch {
      return; // offline: the provisional result stays on screen
    }
    if (this.el && !this.el.hidden) this.render(this.server, false);
    this.#doneNote(accepted);
    this.root.dataset.scoreLoaded = "true";
  }

  // The done card says the server's result is in, and how it differs from the provisional one.
  #doneNote(accepted) {
    const done = this.root.querySelector(".done");
    if (!done) return;
    let note = done.querySelector(".done-score");
    if (!note) {
      note = document.createElement("p");
      note.className = "done-score alert ok";
      note.setAttribute("role", "status");
      done.querySelector(".row")?.before(note);
    }
    const diff = differences(this.shownProvisional, this.server);
    const lv = this.server.result.level ? texts(this.server.result.level.label) : null;
    const head = `ผลจากเซิร์ฟเวอร์: ${lv ? keep(lv.th) : "ยังไม่มีผล"} ${pct(whole(this.server.result.percent))}` +
      ` <span class="en">The server's result${lv && lv.en ? `: ${esc(lv.en)}` : ""}</span>`;
    note.innerHTML = head + (diff.length
      ? `<br>ต่างจากผลเบื้องต้น <span class="en">differs from the provisional one</span>: ${diff.map((d) => keep(d.th)).join(" · ")}`
      : '<br>ตรงกับผลเบื้องต้น <span class="en">the same as the provisional one</span>');
    note.dataset.accepted = accepted ? "later" : "now";
  }
}

/** Sets up the fill page's meeting screen when the form is scored (#form-scoring present). */
export function installMeeting(root, view) {
  const el = document.getElementById("form-scoring");
  if (!el || !root) return null;
  try {
    return new MeetingScreen(root, view, JSON.parse(el.dataset.json));
  } catch (e) {
    console.warn("meeting screen unavailable", e);
    return null;
  }
}

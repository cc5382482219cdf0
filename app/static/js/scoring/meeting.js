// The meeting screen ("show to the group") drawn in the browser: the same elements, classes and
// data attributes as templates/scoring/_screen.html, from the same data the JSON route gives
// (/api/v1/submissions/<id>/score). On the fill page it shows the JavaScript twin's result, marked
// provisional, right after the last indicator; once the submission is received it loads the
// server's result and drops the mark. No inline styles: colours and widths are SVG attributes.
import { score } from "./score.js";
import { beDate, beYear, escapeHtml as esc } from "../util.js";

const SCREEN_LISTED = 3;
const TH = /\(th\)|thai|ไทย/i;
const EN = /\(en\)|english/i;

/** {th, en} of a {language: text} label (app/scoring/views.py texts()). */
export function texts(label) {
  label = label || {};
  const entries = Object.entries(label);
  let th = entries.find(([k, v]) => TH.test(k) && v)?.[1];
  th = th || label.default || entries.find(([, v]) => v)?.[1] || "";
  const en = entries.find(([k, v]) => EN.test(k) && v)?.[1] || "";
  return { th, en: en !== th ? en : "" };
}

/** Black or white text on `colour` (app/scoring/views.py ink_for()). */
export function inkFor(colour) {
  let c = String(colour || "").trim().replace(/^#/, "");
  if (c.length === 3) c = c.split("").map((x) => x + x).join("");
  if (!/^[0-9a-fA-F]{6}$/.test(c)) return "#ffffff";
  const lin = (x) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [0, 2, 4].map((i) => lin(parseInt(c.slice(i, i + 2), 16) / 255));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? "#000000" : "#ffffff";
}


/** Percentage-point change per group against a previous result (store.group_changes). */
function changeText(change) {
  return change > 0 ? `+${change}` : String(change);
}

/** What the screen shows, from the JSON payload (app/scoring/views.py screen()). */
export function screenOf(payload) {
  const result = payload.result;
  const changes = payload.changes || {};
  const level = result.level;
  const colour = level ? level.colour || "#5b6470" : null;
  return {
    group: payload.group_label || { th: "", en: "" },
    level: level ? { ...texts(level.label), name: level.name, colour, ink: inkFor(colour) } : null,
    total: result.total, max: result.max, percent: result.percent,
    groups: result.groups.map((g) => ({ ...texts(g.label), name: g.name, score: g.score, max: g.max,
      percent: g.percent, passed: g.passed, pass_mark: g.pass_mark ?? null, change: changes[g.name] || null,
      advice: g.passed === false ? texts(g.advice) : null })),
    strengths: result.strengths.map((s) => ({ ...texts(s.label), ...s })),
    weaknesses: result.weaknesses.map((w) => ({ ...texts(w.label), ...w })),
    advice: result.advice.map((a) => ({ group: texts(a.label), advice: texts(a.advice) })),
    has_previous: payload.previous != null,
    date_th: beDate(payload.assessed_on), round_year: payload.round_year ?? null,
  };
}

const num = (x) => (x === null || x === undefined ? "—" : String(x));
const verdictClass = (passed) => (passed === true ? "pass" : passed === false ? "fail" : "none");
const textsHtml = (t, cls = "") => `<span class="mt-th ${cls}">${esc(t.th)}</span>${t.en ? ` <span class="en mt-en">${esc(t.en)}</span>` : ""}`;

function barSvg(g) {
  const mark = g.pass_mark === null ? "" : `<line class="mt-bar-mark" x1="${esc(g.pass_mark)}" y1="0" x2="${esc(g.pass_mark)}" y2="10"></line>`;
  return `<svg class="mt-bar-svg" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">` +
    `<rect class="mt-bar-track" x="0" y="0" width="100" height="10"></rect>` +
    `<rect class="mt-bar-fill ${verdictClass(g.passed)}" x="0" y="0" width="${esc(g.percent || 0)}" height="10"></rect>${mark}</svg>`;
}

function listHtml(items, empty) {
  if (!items.length) return `<li class="mt-empty">${empty}</li>`;
  return items.map((s, i) => `<li class="${i >= SCREEN_LISTED ? "mt-more" : ""}" data-name="${esc(s.name)}">${esc(s.th)} <span class="mt-pts">${esc(s.score)}/${esc(s.max)}</span></li>`).join("");
}

/** The screen's inner HTML (the _screen.html macro's twin). */
export function screenHtml(view, { provisional = false, needsCorrection = false } = {}) {
  const lv = view.level;
  const level = lv
    ? `<div class="mt-level ink-${lv.ink === "#000000" ? "dark" : "light"}" data-level="${esc(lv.name)}">` +
      `<svg class="mt-level-bg" viewBox="0 0 10 10" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="0" width="10" height="10" fill="${esc(lv.colour)}"></rect></svg>` +
      `<span class="mt-level-name"><span class="mt-th">${esc(lv.th)}</span>${lv.en ? ` <span class="mt-en">${esc(lv.en)}</span>` : ""}</span></div>`
    : `<div class="mt-level mt-level-none" data-level=""><span class="mt-level-name">ยังไม่มีผล <span class="mt-en">No result</span></span></div>`;
  const bars = view.groups.map((g) => {
    let change = "";
    if (g.change) {
      const c = g.change.change;
      const dir = c > 0 ? "up" : c < 0 ? "down" : "same";
      change = `<span class="mt-change ${dir}" data-change="${esc(c)}">${c > 0 ? "▲" : c < 0 ? "▼" : "＝"} ${esc(changeText(c))} <span class="en">(เดิม ${esc(g.change.before)}%)</span></span>`;
    } else if (view.has_previous) change = `<span class="mt-change none">–</span>`;
    const verdict = g.passed === true ? '✓ ผ่าน <span class="en">pass</span>' : g.passed === false ? '✗ ไม่ผ่าน <span class="en">not yet</span>' : "–";
    return `<li class="mt-bar ${verdictClass(g.passed)}" data-group="${esc(g.name)}" data-percent="${esc(num(g.percent))}" data-passed="${g.passed === null ? "none" : String(g.passed)}">` +
      `<span class="mt-bar-label">${textsHtml(g)}</span>${barSvg(g)}` +
      `<span class="mt-bar-value"><span class="mt-bar-percent">${esc(num(g.percent))}%</span> <span class="mt-bar-points">${esc(g.score)}/${esc(g.max)}</span></span>` +
      `<span class="mt-bar-verdict">${verdict}</span>${change}` +
      (g.advice && g.advice.th ? `<span class="mt-bar-advice">→ ${esc(g.advice.th)}</span>` : "") + "</li>";
  }).join("");
  const advice = view.advice.length
    ? view.advice.map((a) => `<li data-group="${esc(a.group.th)}"><strong>${esc(a.group.th)}</strong>: ${esc(a.advice.th)}${a.advice.en ? ` <span class="en">${esc(a.advice.en)}</span>` : ""}</li>`).join("")
    : '<li class="mt-empty">ผ่านทุกหลัก <span class="en">Every principle passed</span></li>';
  return `<header class="mt-head"><div class="mt-who">` +
    `<h1 class="mt-group">${textsHtml(view.group)}</h1>` +
    `<p class="mt-date">${esc(view.date_th)}${view.round_year ? ` · <span class="mt-round">ปี ${esc(view.round_year)}</span>` : ""}</p>` +
    `<p class="mt-provisional"${provisional ? "" : " hidden"}>ผลเบื้องต้น ยังไม่ได้ส่ง <span class="en">Provisional, not yet sent</span></p>` +
    (needsCorrection ? '<p class="mt-correction">ข้อมูลนี้ต้องแก้ไข ผลอาจเปลี่ยน <span class="en">Needs correction; the result may change</span></p>' : "") +
    `</div><div class="mt-summary">${level}` +
    `<p class="mt-total"><span class="mt-total-label">คะแนนรวม <span class="en">Total</span></span> ` +
    `<strong class="mt-total-score">${esc(num(view.total))}</strong> / <span class="mt-total-max">${esc(num(view.max))}</span> ` +
    `<span class="mt-total-percent">(${esc(num(view.percent))}%)</span></p></div></header>` +
    `<section class="mt-groups" aria-label="คะแนนรายหลัก / Scores by principle"><h2 class="mt-h">คะแนนรายหลัก <span class="en">By principle</span>` +
    `${view.has_previous ? ' <span class="mt-change-head">เทียบครั้งก่อน <span class="en">vs last time</span></span>' : ""}</h2><ul class="mt-bars">${bars}</ul></section>` +
    `<section class="mt-side">` +
    `<div class="mt-list mt-strengths"><h2 class="mt-h">จุดเด่น <span class="en">Strengths</span></h2><ul>${listHtml(view.strengths, "–")}</ul></div>` +
    `<div class="mt-list mt-weaknesses"><h2 class="mt-h">จุดที่ควรพัฒนา <span class="en">To improve</span></h2><ul>${listHtml(view.weaknesses, "–")}</ul></div>` +
    `<div class="mt-list mt-advice"><h2 class="mt-h">ข้อเสนอแนะ <span class="en">Advice</span></h2><ul>${advice}</ul></div></section>`;
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
 * Adds "show to the group" to a scored form's fill page. `scoring` is the page's #form-scoring
 * JSON: {spec, group_path, date_path, group_choices: {name: {th, en}}, score_url}.
 */
export class MeetingScreen {
  constructor(root, view, scoring) {
    this.root = root;
    this.view = view;
    this.scoring = scoring;
    this.server = null; // the server's payload once the submission is received
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
    const label = (ref && choices && choices[ref]) || (named ? { th: named, en: "" } : null) ||
      { th: ref || this.scoring.title || "", en: "" };
    return {
      instance_id: model.instanceID, group_ref: ref || null, group_label: label, assessed_on: iso,
      round_year: beYear(iso.slice(0, 4)), needs_correction: false,
      result: score(spec, answersOf(this.view, spec)), previous: null, changes: {},
    };
  }

  #element() {
    if (this.el) return this.el;
    const el = document.createElement("div");
    el.className = "meeting";
    el.id = "meeting";
    el.hidden = true;
    el.innerHTML = '<div class="mt-screen"></div><footer class="mt-bottom"><span class="mt-foot"></span><span class="mt-tools">' +
      '<button type="button" class="secondary mt-close">‹ ปิด <span class="en">Close</span></button>' +
      '<button type="button" class="secondary mt-print">พิมพ์ <span class="en">Print</span></button>' +
      '<button type="button" class="secondary mt-fullscreen">เต็มจอ <span class="en">Full screen</span></button></span></footer>';
    el.querySelector(".mt-close").addEventListener("click", () => this.close());
    wireTools(el);
    document.body.append(el);
    this.el = el;
    return el;
  }

  render(payload, provisional) {
    const el = this.#element();
    el.dataset.source = provisional ? "provisional" : "server";
    el.dataset.instanceId = payload.instance_id || "";
    el.querySelector(".mt-screen").innerHTML = screenHtml(screenOf(payload), { provisional, needsCorrection: !!payload.needs_correction });
    el.querySelector(".mt-foot").textContent = `${this.scoring.title || ""} · ${payload.instance_id || ""}`;
  }

  /** Shows the server's result when there is one, else the provisional one. */
  open() {
    if (this.server) this.render(this.server, false);
    else this.render(this.provisional(), true);
    this.el.hidden = false;
    document.documentElement.classList.add("meeting-open");
  }

  close() {
    if (!this.el) return;
    this.el.hidden = true;
    document.documentElement.classList.remove("meeting-open");
    if (document.fullscreenElement) document.exitFullscreen?.();
  }

  /** After a successful submit: fetch the server's result; offline, the provisional one stays. */
  async received() {
    const id = this.root.querySelector(".done .done-id")?.textContent || this.view.model.instanceID;
    const done = this.root.querySelector(".done");
    if (done && !done.querySelector(".show-meeting")) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "show-meeting";
      again.innerHTML = 'แสดงผลต่อกลุ่ม <span class="en">Show to the group</span>';
      again.addEventListener("click", () => this.open());
      done.querySelector(".row")?.prepend(again);
    }
    if (!id || !this.scoring.score_url) return;
    try {
      const r = await fetch(this.scoring.score_url.replace("__ID__", encodeURIComponent(id)), {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!r.ok) return;
      this.server = await r.json();
      if (this.el && !this.el.hidden) this.render(this.server, false);
      this.root.dataset.scoreLoaded = "true";
    } catch {
      /* offline: the provisional result stays on screen */
    }
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

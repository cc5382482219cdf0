// The "on this device" page (/offline): a server-rendered shell filled from IndexedDB. Drafts
// (open at their versioned URL), the outbox (waiting), needs attention (server's message, retry),
// "send now" and the last-resort export. Refreshes itself when any tab changes offline data.
import { ATTENTION, list, retry } from "./outbox.js";
import { deleteDraft, draftUrl, listDrafts } from "./drafts.js";
import { downloadExport } from "./export.js";
import { state, syncOutbox } from "./sync.js";
import { beDate, beDateTime } from "../util.js";


function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

const bi = (th, en) => [th, " ", el("span", { class: "en" }, en)];

/** The record's name as people say it: the group and its village, else the form's own label. */
function nameOf(r, fallback) {
  const about = r.about || {};
  return about.groupName || r.label || fallback;
}

/** Village and assessment date (Buddhist Era) under the name, when the record has them. */
function aboutLine(r) {
  const about = r.about || {};
  const parts = [];
  if (about.village) parts.push(el("span", { class: "offline-village" }, about.village));
  if (about.date) parts.push(el("span", { class: "offline-assessed" }, `ประเมินวันที่ ${beDate(about.date)} `,
    el("span", { class: "en" }, "assessed")));
  return parts.length ? el("span", { class: "offline-about" }, ...parts) : null;
}

function draftRow(d) {
  const href = draftUrl(d);
  const del = el("button", { type: "button", class: "secondary small" }, ...bi("ลบ", "Delete"));
  del.addEventListener("click", async () => {
    if (confirm("ลบฉบับร่างนี้? ข้อมูลจะหายไป / Delete this draft? Its answers will be lost.")) await deleteDraft(d.key);
  });
  return el("li", { class: "offline-item", "data-instance-id": d.instanceID },
    el("div", { class: "offline-item-main" },
      el("a", { href, class: "offline-item-label" }, nameOf(d, "(ยังไม่มีชื่อ / unnamed)")),
      aboutLine(d),
      el("span", { class: "muted offline-form" }, d.title)),
    el("div", { class: "offline-item-meta" },
      el("span", { class: "offline-date" }, beDateTime(d.updated)),
      el("progress", { max: 100, value: d.progress || 0, title: `${d.progress || 0}%` }),
      el("span", { class: "offline-progress" }, `${d.progress || 0}%`),
      el("span", { class: "muted" }, ` หน้า ${(d.page || 0) + 1}/${d.pages || 1} · page ${(d.page || 0) + 1} of ${d.pages || 1}`),
      del));
}

function outboxRow(r) {
  const meta = [el("span", { class: "offline-date" }, beDateTime(r.created))];
  if (r.attempts) meta.push(el("span", { class: "muted" }, ` · ลองส่ง ${r.attempts} ครั้ง / ${r.attempts} attempt(s)`));
  const n = Object.keys(r.attachments || {}).length;
  if (n) meta.push(el("span", { class: "muted" }, ` · ไฟล์แนบ ${n} / ${n} file(s)`));
  const li = el("li", { class: "offline-item", "data-instance-id": r.instanceID },
    el("div", { class: "offline-item-main" },
      el("span", { class: "offline-item-label" }, nameOf(r, `ส่งเมื่อ ${beDateTime(r.created)}`)),
      aboutLine(r),
      el("span", { class: "muted offline-form" }, r.title)),
    el("div", { class: "offline-item-meta" }, ...meta));
  if (r.state === ATTENTION) {
    li.append(el("p", { class: "offline-message" },
      el("strong", {}, `${r.status || ""} `), r.message_th || "เซิร์ฟเวอร์ไม่รับข้อมูล", " ",
      el("span", { class: "en" }, r.message_en || "The server did not accept it.")));
    const again = el("button", { type: "button", class: "secondary small offline-retry" }, ...bi("ส่งอีกครั้ง", "Retry"));
    again.addEventListener("click", async () => {
      await retry(r.key);
      syncOutbox("retry");
    });
    li.append(el("div", { class: "row" }, again));
  }
  return li;
}

function fill(id, rows, empty) {
  const box = document.getElementById(id);
  if (!box) return;
  box.replaceChildren(...(rows.length ? rows : [el("li", { class: "muted offline-empty" }, ...empty)]));
  const count = document.querySelector(`[data-count-of="${id}"]`);
  if (count) count.textContent = String(rows.length);
}

async function render() {
  const [drafts, items] = await Promise.all([listDrafts(), list()]);
  const attention = items.filter((r) => r.state === ATTENTION);
  const waiting = items.filter((r) => r.state !== ATTENTION);
  fill("offline-attention", attention.map(outboxRow), bi("ไม่มี", "None"));
  fill("offline-outbox", waiting.map(outboxRow), bi("ไม่มีข้อมูลรอส่ง", "Nothing waiting to be sent"));
  fill("offline-drafts", drafts.map(draftRow), bi("ไม่มีฉบับร่าง", "No drafts"));
  document.getElementById("offline-attention-box").hidden = attention.length === 0;
  const status = document.getElementById("offline-sync-status");
  if (status) {
    status.replaceChildren(...(state.running ? bi("กำลังส่ง…", "Sending…")
      : state.authNeeded ? bi("ต้องเข้าสู่ระบบใหม่ก่อนจึงจะส่งได้", "Sign in again to send.")
        : state.lastResult === "partial" ? bi("ยังส่งไม่ได้ทั้งหมด จะลองใหม่อัตโนมัติ", "Not everything could be sent; it will try again by itself.")
          : state.lastResult === "done" ? bi("ส่งครบแล้ว", "All sent.") : []));
  }
  const page = document.getElementById("offline-page");
  page.dataset.ready = "true";
  page.dataset.drafts = String(drafts.length);
  page.dataset.waiting = String(waiting.length);
  page.dataset.attention = String(attention.length);
}

export function initPage() {
  document.getElementById("offline-send")?.addEventListener("click", () => syncOutbox("button"));
  document.getElementById("offline-export")?.addEventListener("click", async (e) => {
    e.target.disabled = true;
    try {
      await downloadExport();
    } finally {
      e.target.disabled = false;
    }
  });
  window.addEventListener("chumchon:offline-refreshed", render);
  window.addEventListener("chumchon:offline-changed", (e) => e.detail?.type === "sync" && render());
  render();
}

// Form runtime entry, loaded on the fill page only: model (XML instance with the secondary
// instances) + view (inputs, pages, repeats, language) + logic (logic.js over xpath.js) +
// submitter (OpenRosa POST, through the outbox when offline/ is loaded: window.chumchon.offline from
// app.js), drafts (autosave to IndexedDB; ?draft=<instanceID> restores one). Exposed as window.chumchon for
// tests; window.chumchon.xpath is the XPath layer (evaluate, references, rewrite, modelDocument).
import { Model } from "./model.js";
import { applyCorrection, showServerErrors } from "./correction.js";
import { Submitter } from "./submit.js";
import { View } from "./view.js";
import * as xpath from "./xpath.js";
import { DraftOffer, groupOf } from "./resume.js";
import { scriptText } from "../util.js";

window.chumchon = { ...(window.chumchon || {}), xpath };

const XML_NAME = /^[A-Za-z_][\w.-]*$/;

/** A CSV file as a secondary instance: <root><item><column>value</column>…</item>…</root>. */
export function csvInstance(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  text = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const doc = document.implementation.createDocument(null, "root", null);
  const header = (rows.shift() || []).map((h) => {
    const name = h.trim().replace(/::/g, "_").replace(/[^\w.-]/g, "_");
    return XML_NAME.test(name) ? name : "_" + name;
  });
  for (const r of rows) {
    if (r.length === 1 && r[0] === "") continue;
    const item = doc.createElement("item");
    header.forEach((h, k) => {
      const el = doc.createElement(h);
      el.textContent = r[k] ?? "";
      item.append(el);
    });
    doc.documentElement.append(item);
  }
  return doc.documentElement;
}

/**
 * "Show to the group" on scored forms: the meeting screen's bundle (dist/meeting.js, precached by the
 * service worker, with the scoring twin score.js) is loaded only when the officer reaches the last
 * page or submits, so opening a form does not wait for it.
 */
function installMeeting(root, view) {
  const el = document.getElementById("form-scoring");
  if (!el || !el.dataset.module) return null;
  let loading = null;
  const load = () => (loading ||= import(el.dataset.module)
    .then((m) => { window.chumchon.meeting = m.installMeeting(root, view); return window.chumchon.meeting; })
    .catch((e) => { console.warn("meeting screen unavailable", e); loading = null; return null; }));
  const submit = root.querySelector(".fill-pager .submit");
  const watch = (target, attr, when) => new MutationObserver(() => { if (when()) load(); })
    .observe(target, { attributes: true, attributeFilter: [attr] });
  if (submit) watch(submit, "hidden", () => !submit.hidden);
  watch(root, "data-state", () => root.dataset.state === "done");
  root.addEventListener("chumchon:accepted", () => load());
  if (submit && !submit.hidden) load();
  return { load };
}

/**
 * Secondary instances: `inline` ones from the page at once; `external` ones (CSV, XML from the media
 * route, preloaded by the page) as a promise, so the model is built while they arrive.
 */
function secondaryInstances(root) {
  const inline = {};
  const external = {};
  const media = root.dataset.mediaUrl || "";
  const waits = [];
  for (const el of document.querySelectorAll("script.secondary-instance[data-instance-id]")) {
    const id = el.dataset.instanceId;
    if (!el.dataset.src) {
      inline[id] = scriptText(el);
      continue;
    }
    const file = el.dataset.src;
    // Same URL and mode as the page's <link rel="preload" as="fetch" crossorigin> (fill.html).
    waits.push(fetch(el.dataset.url || media + encodeURIComponent(file), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${r.status}`))))
      .then((text) => {
        if (/\.csv$/i.test(file)) external[id] = csvInstance(text);
        else {
          const doc = new DOMParser().parseFromString(text, "text/xml");
          external[id] = doc.querySelector("parsererror") ? "<root/>" : doc.documentElement;
        }
      })
      .catch((e) => {
        console.warn(`ไม่พบไฟล์ ${file} / media file ${file} could not be loaded:`, e.message);
        external[id] = "<root/>";
      }));
  }
  return { inline, external: Promise.all(waits).then(() => external) };
}

async function start() {
  const root = document.getElementById("fill");
  if (!root) return;
  try {
    const t0 = performance.now();
    const secondary = secondaryInstances(root);
    const model = new Model(scriptText(document.getElementById("instance-template")), secondary.inline);
    performance.mark("form:model"); // phases of the start, for benchmarks/page_weight.py --verbose
    // A draft (?draft=<instanceID>, offline/drafts.js) finishes on the version it began on.
    const offline = window.chumchon?.offline?.available() ? window.chumchon.offline : null;
    const [draft, external] = await Promise.all([offline ? offline.draftToRestore() : null, secondary.external]);
    model.addInstances(external);
    performance.mark("form:instances");
    // (a draft's test link keeps its address when its workbook is replaced: no redirect to itself)
    if (draft && draft.version !== root.dataset.version && draft.fillUrl !== location.pathname) {
      location.replace(offline.draftUrl(draft));
      return;
    }
    if (draft) offline.restoreInto(model, draft);
    const correction = draft ? null : await applyCorrection(model); // ?correct=<instanceID> (correction.js)
    const specEl = document.getElementById("form-binds");
    const spec = specEl ? JSON.parse(specEl.dataset.json) : null;
    xpath.setDefaultDocument(() => model.doc);
    const view = new View(root, model, spec);
    view.loaded = Boolean(draft || correction); // not a new record: no first-load defaults (logic.js)
    if (spec) {
      xpath.configure({ choiceName: (path, value) => view.logic?.choiceLabel(path, value) ?? null });
    }
    view.startPage = draft ? draft.page || 0 : 0;
    view.init();
    if (draft) view.setLanguage(draft.lang || 0);
    if (correction) showServerErrors(view, correction.errors);
    const drafts = offline ? new offline.DraftKeeper(view, { restored: draft, describe: () => groupOf(view) }) : null;
    // A new record: offer the drafts of this form (and of the group once it is chosen) to continue.
    if (offline && offline.listDrafts && !draft && !correction) {
      new DraftOffer(view, offline, drafts).start().catch((e) => console.warn("drafts not offered", e));
    }
    const submitter = new Submitter(view, drafts);
    const meeting = installMeeting(root, view); // "show to the group" on scored forms
    window.chumchon = { ...window.chumchon, model, view, submitter, drafts, meeting, logic: view.logic,
      timing: { ...(view.logic?.timing || {}), start: performance.now() - t0, ready: performance.now() } };
    performance.mark("form:ready");
    root.dataset.ready = "true";
    // What the first page did not need is evaluated at the next idle moment (or when needed first).
    if (view.logic?.deferred) {
      const settle = () => { view.logic.settle(); root.dataset.settled = "true"; };
      if (window.requestIdleCallback) requestIdleCallback(settle, { timeout: 1000 });
      else setTimeout(settle, 50);
    } else root.dataset.settled = "true";
  } catch (e) {
    console.error(e);
    root.querySelector(".fill-broken").hidden = false;
    root.dataset.ready = "error";
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

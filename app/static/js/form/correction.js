// Correcting a sent record in the browser (app/forms/fill.py, ?correct=<instanceID>): the page carries
// the stored instance (#correction-instance), its attachments' URLs and the server's errors. The
// instance replaces the template's (repeat templates were already taken from the template), gets a
// new meta/instanceID and meta/deprecatedID = the old one (the server then files it as an edit that
// supersedes the old record); the attachments are fetched and kept as Blobs so they are sent again
// unchanged; the errors are shown at their questions once the view is bound.
import { uuid } from "./model.js";
import { escapeHtml, scriptText } from "../util.js";

function json(text) {
  try { return JSON.parse(text || "[]"); } catch { return []; }
}

/** The child of `parent` named `name`, created (in the parent's namespace) when missing. */
function child(doc, parent, name, after = null) {
  let el = Array.from(parent.children).find((c) => c.localName === name);
  if (!el) {
    el = doc.createElementNS(parent.namespaceURI, name);
    if (after) after.after(el);
    else parent.append(el);
  }
  return el;
}

/** Loads the record to correct into `model` (before the view binds it); null on a normal fill page. */
export async function applyCorrection(model) {
  const el = document.getElementById("correction-instance");
  if (!el) return null;
  const parsed = new DOMParser().parseFromString(scriptText(el), "text/xml");
  if (parsed.querySelector("parsererror") || parsed.documentElement.nodeName !== model.root.nodeName) {
    throw new Error("the stored record does not fit this form version");
  }
  const root = model.doc.importNode(parsed.documentElement, true);
  model.root.replaceWith(root);
  model.root = root;
  const oldId = el.dataset.deprecatedId;
  const meta = child(model.doc, root, "meta");
  const id = child(model.doc, meta, "instanceID");
  child(model.doc, meta, "deprecatedID", id).textContent = oldId;
  id.textContent = "uuid:" + uuid();
  const files = json(el.dataset.attachments);
  await Promise.all(files.map(async ({ name, url, type }) => {
    const r = await fetch(url, { credentials: "same-origin" });
    if (!r.ok) throw new Error(`attachment ${name}: ${r.status}`);
    const blob = await r.blob();
    model.attachments.set(name, blob.type ? blob : new Blob([blob], { type }));
  }));
  return { deprecatedID: oldId, errors: json(el.dataset.errors) };
}

/** Shows the server's errors at their questions (path "/data/q" or "/data/rep[2]/q") and goes to the first. */
export function showServerErrors(view, errors) {
  const shown = [];
  for (const e of errors) {
    const plain = e.path.replace(/\[\d+\]/g, "");
    const qs = Array.from(view.form.querySelectorAll(".q[data-path]")).filter((q) => q.dataset.path === plain && q._node);
    let q = qs[0];
    if (qs.length > 1 && /\[\d+\]/.test(e.path)) {
      let nodes = [];
      try { nodes = view.model.evaluate(e.path, null, "nodes") || []; } catch { /* unusual path: first question */ }
      q = qs.find((x) => x._node === nodes[0]) || q;
    }
    if (!q) continue;
    view.showMessage(q, `${escapeHtml(e.message_th)} <span class="en">${escapeHtml(e.message_en)}</span>`);
    q.classList.add("server-error");
    shown.push(q);
  }
  if (errors.length) {
    const n = errors.length;
    view.status(`ข้อมูลนี้ต้องแก้ไข ${n} จุด <span class="en">${n} problem${n > 1 ? "s" : ""} to correct</span>`, "error");
  }
  if (shown.length) view.reveal(shown[0]);
}

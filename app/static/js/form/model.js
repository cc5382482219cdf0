// The form's data model: the XForm primary instance as an XML document, as Enketo keeps it, in one
// document with the secondary instances (`<model><instance>primary</instance><instance id="x">…`,
// see xpath.js). The view only reads and writes through here; expressions go through `evaluate()`.
import { addInstances, evaluate as xpathEvaluate, modelDocument, primaryRoot } from "./xpath.js";

const JR = "http://openrosa.org/javarosa";

// Steps of a plain path: "/data/a/b" -> ["data", "a", "b"].
const steps = (path) => path.split("/").filter(Boolean);
const elements = (el) => Array.from(el.children);

export class Model extends EventTarget {
  /**
   * @param {string} templateXml the primary instance root as XML (`<data id=".." version="..">`)
   * @param {Object<string, string|Element>} secondary secondary instances by id (choice lists, CSVs)
   */
  constructor(templateXml, secondary = {}) {
    super();
    const doc = modelDocument(templateXml, secondary);
    this.doc = doc;
    this.root = primaryRoot(doc);
    this.templates = new Map(); // repeat path -> element to clone for a new instance
    this.order = new Map(); // parent path -> child names in template order (where to insert a repeat)
    this.attachments = new Map(); // file name -> Blob, sent with the submission
    this.#takeTemplates(this.root);
  }

  /** Secondary instances that arrive after the model is built (CSV/XML media files), by id. */
  addInstances(secondary) {
    addInstances(this.doc, secondary);
  }

  // Repeat templates: jr:template nodes leave the document (they are not data) and are cloned for
  // each new instance. Repeats written without one (other XForm writers): see declareRepeat().
  #takeTemplates(el) {
    const path = this.pathOf(el);
    this.order.set(path, elements(el).map((c) => c.nodeName));
    for (const child of elements(el)) {
      if (child.hasAttributeNS(JR, "template") || child.hasAttribute("jr:template")) {
        const childPath = this.pathOf(child);
        const tpl = child.cloneNode(true);
        tpl.removeAttributeNS(JR, "template");
        tpl.removeAttribute("jr:template");
        this.templates.set(childPath, tpl);
        this.#takeTemplates(child); // nested repeats inside the template
        child.remove();
      } else {
        this.#takeTemplates(child);
      }
    }
  }

  /** Marks a path as a repeat (for repeats without jr:template): its first instance becomes the template. */
  declareRepeat(path) {
    if (this.templates.has(path)) return;
    const first = this.find(path);
    if (first) this.templates.set(path, first.cloneNode(true));
  }

  /** "/data/a/b" of an element (no indexes). */
  pathOf(el) {
    const names = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentNode) {
      names.unshift(n.nodeName);
      if (n === this.root) break;
    }
    return "/" + names.join("/");
  }

  /**
   * The element at `path`. With a context element (a repeat instance, a question's node), the part
   * of the path the context shares is taken from the context, so /data/rep/q inside the second
   * instance of /data/rep finds that instance's q. Relative paths ("../x", "x") start at the context.
   */
  find(path, context = null) {
    if (!path) return null;
    let node;
    let rest;
    if (path.startsWith("/")) {
      const want = steps(path);
      if (want[0] !== this.root.nodeName) return null;
      node = this.root;
      let i = 1;
      // Longest ancestor-or-self of the context whose path is a prefix of `path`.
      for (let c = context; c && c.nodeType === 1; c = c.parentNode) {
        const cs = steps(this.pathOf(c));
        if (cs.length <= want.length && cs.every((s, k) => s === want[k])) {
          node = c;
          i = cs.length;
          break;
        }
      }
      rest = want.slice(i);
    } else {
      node = context || this.root;
      rest = steps(path);
    }
    for (const step of rest) {
      if (!node) return null;
      if (step === ".") continue;
      if (step === "..") node = node.parentNode && node.parentNode.nodeType === 1 ? node.parentNode : null;
      else {
        let c = node.firstElementChild; // no Array.from: roots may hold 1,000+ calculates
        while (c && c.nodeName !== step) c = c.nextElementSibling;
        node = c;
      }
    }
    return node;
  }

  get(node) {
    return node ? node.textContent : "";
  }

  /** Sets a leaf's value and tells listeners ("change", detail {node, value}) when it changed. */
  set(node, value) {
    if (!node) return;
    value = value == null ? "" : String(value);
    if (node.textContent === value) return;
    node.textContent = value;
    this.dispatchEvent(new CustomEvent("change", { detail: { node, value } }));
  }

  /** Instances of the repeat at `path` within `parent` (the element that holds them). */
  instances(path, parent) {
    const name = steps(path).pop();
    return parent ? elements(parent).filter((c) => c.nodeName === name) : [];
  }

  /** Adds an instance of the repeat at `path` under `parent`, after `after` (default: the last). */
  addRepeat(path, parent, after = null) {
    const tpl = this.templates.get(path);
    if (!tpl || !parent) return null;
    const node = tpl.cloneNode(true);
    const existing = this.instances(path, parent);
    const prev = after || existing[existing.length - 1];
    if (prev) prev.after(node);
    else parent.insertBefore(node, this.#nextInOrder(parent, steps(path).pop()));
    this.dispatchEvent(new CustomEvent("repeat", { detail: { node, added: true } }));
    return node;
  }

  removeRepeat(node) {
    const parent = node.parentNode;
    node.remove();
    this.dispatchEvent(new CustomEvent("repeat", { detail: { node, parent, added: false } }));
  }

  // The first child of `parent` that comes after `name` in the template's order.
  #nextInOrder(parent, name) {
    const order = this.order.get(this.pathOf(parent)) || [];
    const after = new Set(order.slice(order.indexOf(name) + 1));
    return elements(parent).find((c) => after.has(c.nodeName)) || null;
  }

  /** Sets meta/instanceID (a new "uuid:...") and the start timestamp, as ODK Collect does on open. */
  initialise(preloads = []) {
    const id = this.find(`/${this.root.nodeName}/meta/instanceID`);
    if (id && !id.textContent) this.set(id, "uuid:" + uuid());
    for (const { path, preload, params } of preloads) {
      const node = this.find(path);
      if (!node || node.textContent) continue;
      if (preload === "timestamp" && params === "start") this.set(node, isoDateTime(new Date()));
      else if (preload === "date" && params === "today") this.set(node, isoDateTime(new Date()).slice(0, 10));
      else if (preload === "property" && params === "deviceid") this.set(node, "chumchon:" + navigator.userAgent.slice(0, 40));
    }
  }

  /** Stamps the end time just before sending. */
  finalise(preloads = []) {
    for (const { path, preload, params } of preloads) {
      if (preload === "timestamp" && params === "end") this.set(this.find(path), isoDateTime(new Date()));
    }
  }

  get instanceID() {
    return this.get(this.find(`/${this.root.nodeName}/meta/instanceID`));
  }

  /**
   * Evaluates an ODK XPath expression (xpath.js) with `context` (an instance element, default the
   * root) as the context node. `result`: "string" | "number" | "boolean" | "nodes".
   */
  evaluate(expr, context = null, result = "string") {
    return xpathEvaluate(expr, { doc: this.doc, contextNode: context || this.root, result });
  }

  /** The attachments the instance still names {file name: Blob} (what is sent and kept in a draft). */
  attachmentsInUse() {
    const wanted = new Set(Array.from(this.root.getElementsByTagName("*"), (e) => e.textContent));
    const out = {};
    for (const [name, blob] of this.attachments) if (wanted.has(name)) out[name] = blob;
    return out;
  }

  /**
   * The submission XML. `blank(node)` says which elements are not relevant: their values (and
   * their descendants') are emptied in the copy that is sent, as ODK does; the live instance keeps
   * them so an answer comes back when its question is relevant again.
   */
  serialize(blank = null) {
    let root = this.root;
    if (blank) {
      root = this.root.cloneNode(true);
      const live = this.root.getElementsByTagName("*");
      const copy = root.getElementsByTagName("*");
      for (let i = live.length - 1; i >= 0; i--) {
        if (blank(live[i])) {
          for (const c of Array.from(copy[i].childNodes)) if (c.nodeType !== 1) c.remove();
          for (const el of copy[i].getElementsByTagName("*")) {
            for (const c of Array.from(el.childNodes)) if (c.nodeType !== 1) c.remove();
          }
        }
      }
    }
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(root);
  }
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ODK's dateTime format with the device's offset: 2026-01-05T14:30:00.000+07:00
export function isoDateTime(d) {
  const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, "0");
  const off = -d.getTimezoneOffset();
  const tz = (off >= 0 ? "+" : "-") + pad(Math.trunc(off / 60)) + ":" + pad(off % 60);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${tz}`;
}

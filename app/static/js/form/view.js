// The view: binds the server-rendered questions to the model, and runs pages, progress, the
// language switch, repeats and messages. It reflects the model; it never owns data.
import { isoDateTime } from "./model.js";
import { geopoint } from "./widgets/geopoint.js";
import { image } from "./widgets/image.js";

const WIDGETS = { geopoint, image };
const LITERAL = /^\s*(-?\d+(\.\d+)?|'[^']*'|"[^"]*")\s*$/;
const isTrue = (expr) => (expr || "").replace(/\s/g, "") === "true()";
const REQUIRED_DEFAULT = 'กรุณาตอบคำถามนี้ <span class="en">This question needs an answer</span>';

// How a widget's native input shows an instance value, and what value it gives back.
const tzOffset = () => isoDateTime(new Date()).slice(23);
const FORMATS = {
  time: { show: (v) => v.slice(0, 5), read: (v) => (v ? `${v.length === 5 ? v + ":00" : v}.000${tzOffset()}` : "") },
  datetime: { show: (v) => v.slice(0, 16), read: (v) => (v ? isoDateTime(new Date(v)) : "") },
};

export class View {
  constructor(root, model) {
    this.root = root;
    this.form = root.querySelector("#odk-form");
    this.model = model;
    this.serial = 0; // suffix that keeps ids and radio names unique across repeat items
    this.page = 0;
    this.logic = null; // the XPath layer (relevant, constraint, calculate) hooks in here later
  }

  init() {
    const calcs = Array.from(this.form.querySelectorAll(".instance-only .calc"));
    this.preloads = calcs.filter((c) => c.dataset.preload)
      .map((c) => ({ path: c.dataset.path, preload: c.dataset.preload, params: c.dataset.preloadParams }));
    this.form.querySelectorAll(".repeat").forEach((s) => this.model.declareRepeat(s.dataset.path));
    this.model.initialise(this.preloads);
    // Until the XPath engine arrives, only constant calculations (a number or a string) are set.
    for (const c of calcs) {
      const expr = c.dataset.calculate;
      if (expr && LITERAL.test(expr)) this.model.set(this.model.find(c.dataset.path), this.model.evaluate(expr));
    }
    this.bindTree(this.form, this.model.root);

    this.form.addEventListener("input", (e) => this.#onInput(e));
    this.form.addEventListener("change", (e) => this.#onInput(e));
    this.form.addEventListener("click", (e) => this.#onClick(e));
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.model.addEventListener("change", () => this.refreshOutputs());
    this.root.querySelectorAll(".lang-switch [data-li]").forEach((b) =>
      b.addEventListener("click", () => this.setLanguage(Number(b.dataset.li))));
    const saved = Number(localStorage.getItem("chumchon.lang.index"));
    const savedFor = localStorage.getItem("chumchon.lang.form");
    this.setLanguage(savedFor === this.root.dataset.formId && saved >= 0 ? saved : Number(this.form.dataset.li || 0));

    this.pages = Array.from(this.form.querySelectorAll(".page"));
    this.pager = this.root.querySelector(".fill-pager");
    this.pager.querySelector(".page-back").addEventListener("click", () => this.showPage(this.page - 1));
    this.pager.querySelector(".page-next").addEventListener("click", () => this.showPage(this.page + 1));
    this.form.classList.add("paged");
    this.pager.hidden = false;
    this.showPage(0);
    this.refreshOutputs();
  }

  // ---- binding ---------------------------------------------------------------------------

  // The repeat item (or the form) a question or repeat belongs to.
  #owner(el) {
    return el.parentElement.closest(".repeat-item") || this.form;
  }

  /** Binds questions and repeats under `container` (the form or one repeat item) to `context`. */
  bindTree(container, context) {
    for (const section of container.querySelectorAll(".repeat")) {
      if (this.#owner(section) === container) this.#initRepeat(section, context);
    }
    for (const q of container.querySelectorAll(".q")) {
      if (this.#owner(q) === container) this.#bindQuestion(q, context);
    }
  }

  #bindQuestion(q, context) {
    q._node = this.model.find(q.dataset.path, context);
    if (!q._node) {
      console.warn("no instance node for", q.dataset.path);
      return;
    }
    const widget = WIDGETS[q.dataset.widget];
    if (widget) widget.init(q, this);
    this.show(q);
  }

  /** Puts the model's value into the question's inputs. */
  show(q) {
    const value = this.model.get(q._node);
    const widget = WIDGETS[q.dataset.widget];
    if (widget) return widget.show(q, value);
    const inputs = q.querySelectorAll("[data-bind]");
    const format = FORMATS[q.dataset.widget];
    for (const input of inputs) {
      if (input.type === "radio") input.checked = input.value === value;
      else if (input.type === "checkbox") input.checked = value.split(" ").includes(input.value);
      else input.value = format ? format.show(value) : value;
    }
    const out = q.querySelector(".range-out");
    if (out) out.textContent = value || "—";
  }

  /** The value the question's inputs hold, in the instance's format. */
  read(q) {
    const inputs = Array.from(q.querySelectorAll("[data-bind]"));
    if (!inputs.length) return "";
    if (inputs[0].type === "radio") return inputs.find((i) => i.checked)?.value || "";
    if (inputs[0].type === "checkbox") return inputs.filter((i) => i.checked).map((i) => i.value).join(" ");
    const format = FORMATS[q.dataset.widget];
    return format ? format.read(inputs[0].value) : inputs[0].value;
  }

  setValue(q, value) {
    this.model.set(q._node, value);
    this.clearMessage(q);
  }

  #onInput(e) {
    if (!e.target.hasAttribute("data-bind")) return;
    const q = e.target.closest(".q");
    if (!q || !q._node) return;
    this.setValue(q, this.read(q));
    const out = q.querySelector(".range-out");
    if (out) out.textContent = this.model.get(q._node) || "—";
  }

  /** Label outputs (`{{/data/x}}`): the current answer at that path, seen from the question. */
  refreshOutputs() {
    for (const out of this.form.querySelectorAll(".out[data-ref]")) {
      const holder = out.closest(".q") || out.closest(".repeat-item");
      const context = holder?._node || null;
      const node = this.model.find(out.dataset.ref, context);
      const text = node ? node.textContent : "";
      if (out.textContent !== text) out.textContent = text;
    }
  }

  // ---- repeats ---------------------------------------------------------------------------

  #initRepeat(section, context) {
    const path = section.dataset.path;
    const box = section.querySelector(":scope > .repeat-items");
    const raw = box.querySelector(":scope > .repeat-item");
    section._template = raw;
    raw.remove();
    const parentPath = path.slice(0, path.lastIndexOf("/"));
    section._parent = this.model.find(parentPath, context);
    const fixed = section.dataset.fixedCount;
    if (fixed !== undefined) {
      const want = Number(fixed);
      let nodes = this.model.instances(path, section._parent);
      while (nodes.length < want) nodes.push(this.model.addRepeat(path, section._parent));
      while (nodes.length > want) this.model.removeRepeat(nodes.pop());
    }
    for (const node of this.model.instances(path, section._parent)) this.#addItemView(section, node);
    this.#renumber(section);
  }

  #addItemView(section, node) {
    const item = section._template.cloneNode(true);
    const tag = `-r${++this.serial}`;
    for (const el of item.querySelectorAll("[id]")) el.id += tag;
    for (const el of item.querySelectorAll("[for]")) el.htmlFor += tag;
    for (const el of item.querySelectorAll("[aria-labelledby]")) el.setAttribute("aria-labelledby", el.getAttribute("aria-labelledby") + tag);
    for (const el of item.querySelectorAll("input[name]")) el.name += tag;
    item._node = node;
    section.querySelector(":scope > .repeat-items").append(item);
    this.bindTree(item, node);
    return item;
  }

  addRepeat(section) {
    const node = this.model.addRepeat(section.dataset.path, section._parent);
    if (!node) return null;
    const item = this.#addItemView(section, node);
    this.#renumber(section);
    this.refreshOutputs();
    item.querySelector("input, select, textarea")?.focus();
    return item;
  }

  removeRepeat(item) {
    const section = item.closest(".repeat");
    if (!confirm("ลบรายการนี้? / Remove this item?")) return;
    this.model.removeRepeat(item._node);
    item.remove();
    this.#renumber(section);
    this.refreshOutputs();
  }

  #renumber(section) {
    const items = section.querySelectorAll(":scope > .repeat-items > .repeat-item");
    items.forEach((item, i) => {
      const no = item.querySelector(":scope > .repeat-head .repeat-no");
      if (no) no.textContent = String(i + 1);
    });
    section.classList.toggle("repeat-empty", items.length === 0);
  }

  #onClick(e) {
    const add = e.target.closest(".repeat-add");
    if (add) return this.addRepeat(add.closest(".repeat"));
    const remove = e.target.closest(".repeat-remove");
    if (remove) return this.removeRepeat(remove.closest(".repeat-item"));
  }

  // ---- language --------------------------------------------------------------------------

  setLanguage(index) {
    const buttons = Array.from(this.root.querySelectorAll(".lang-switch [data-li]"));
    if (buttons.length && !buttons.some((b) => Number(b.dataset.li) === index)) index = 0;
    this.form.dataset.li = String(index);
    this.root.dataset.li = String(index);
    for (const b of buttons) {
      const on = Number(b.dataset.li) === index;
      b.setAttribute("aria-pressed", String(on));
      b.classList.toggle("secondary", !on);
      if (on && b.lang) document.documentElement.lang = b.lang;
    }
    for (const opt of this.form.querySelectorAll(`option[data-l${index}]`)) opt.textContent = opt.dataset[`l${index}`];
    try {
      localStorage.setItem("chumchon.lang.index", String(index));
      localStorage.setItem("chumchon.lang.form", this.root.dataset.formId);
    } catch { /* private mode: the choice lasts for this page only */ }
  }

  // ---- pages -----------------------------------------------------------------------------

  showPage(index) {
    const total = this.pages.length;
    this.page = Math.max(0, Math.min(index, total - 1));
    const current = this.pages[this.page];
    this.pages.forEach((p) => p.classList.toggle("current", p === current));
    for (const host of this.form.querySelectorAll(".page-host")) host.hidden = !host.contains(current);
    const progress = this.pager.querySelector(".page-progress");
    progress.max = Math.max(total, 1);
    progress.value = Math.min(this.page + 1, progress.max);
    this.pager.querySelectorAll(".page-no").forEach((e) => (e.textContent = String(this.page + 1)));
    this.pager.querySelectorAll(".page-total").forEach((e) => (e.textContent = String(Math.max(total, 1))));
    const last = this.page >= total - 1;
    this.pager.querySelector(".page-back").disabled = this.page === 0;
    this.pager.querySelector(".page-next").hidden = last;
    this.pager.querySelector(".submit").hidden = !last;
    this.root.dataset.page = String(this.page);
    if (typeof window.scrollTo === "function") window.scrollTo({ top: 0 });
  }

  pageOf(el) {
    return this.pages.findIndex((p) => p.contains(el));
  }

  // ---- messages and the required check -----------------------------------------------------

  showMessage(q, html) {
    const box = q.querySelector(":scope > .q-msg");
    if (!box) return;
    box.innerHTML = html;
    box.hidden = false;
    q.classList.add("invalid");
  }

  clearMessage(q) {
    const box = q.querySelector(":scope > .q-msg");
    if (box && !box.hidden) {
      box.hidden = true;
      box.textContent = "";
    }
    q.classList.remove("invalid");
  }

  /**
   * Questions that must be answered and are not: required="true()" with no relevant on the
   * question or any ancestor (those need the XPath engine). Marks them and returns them in order.
   */
  checkRequired() {
    const missing = [];
    for (const q of this.form.querySelectorAll(".q[data-required]")) {
      this.clearMessage(q);
      if (!isTrue(q.dataset.required) || !q._node) continue;
      if (q.closest("[data-relevant]")) continue;
      if (q.dataset.widget === "note" || q.dataset.widget === "unsupported") continue;
      if (this.model.get(q._node).trim() !== "") continue;
      const custom = q.querySelector(":scope > .q-required-msg");
      this.showMessage(q, custom ? custom.innerHTML : REQUIRED_DEFAULT);
      missing.push(q);
    }
    return missing;
  }

  /** Shows the page holding `q` and brings it into view. */
  reveal(q) {
    const page = this.pageOf(q);
    if (page >= 0) this.showPage(page);
    q.scrollIntoView({ block: "center" });
    const input = q.querySelector("input:not([type=hidden]), select, textarea, button");
    input?.focus({ preventScroll: true });
  }

  status(html, kind = "info") {
    const box = this.root.querySelector(".fill-status");
    box.className = `fill-status alert ${kind}`;
    box.innerHTML = html;
    box.hidden = !html;
  }
}

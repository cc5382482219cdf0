// The view: binds the server-rendered questions to the model, and runs pages, progress, the
// language switch, repeats and messages. It reflects the model; it never owns data.
import { Checks, parseNumber } from "./checks.js";
import { Logic } from "./logic.js";
import { isoDateTime } from "./model.js";
import { geopoint } from "./widgets/geopoint.js";
import { image } from "./widgets/image.js";
import { Picker } from "./widgets/picker.js";

const WIDGETS = { geopoint, image };
const NUMBER_WIDGETS = new Set(["integer", "decimal"]);

// How a widget's native input shows an instance value, and what value it gives back.
const tzOffset = () => isoDateTime(new Date()).slice(23);
const FORMATS = {
  time: { show: (v) => v.slice(0, 5), read: (v) => (v ? `${v.length === 5 ? v + ":00" : v}.000${tzOffset()}` : "") },
  datetime: { show: (v) => v.slice(0, 16), read: (v) => (v ? isoDateTime(new Date(v)) : "") },
};

export class View {
  /** @param spec the form's logic (rendering.form_binds) or null for none */
  constructor(root, model, spec = null) {
    this.root = root;
    this.form = root.querySelector("#odk-form");
    this.model = model;
    this.serial = 0; // suffix that keeps ids and radio names unique across repeat items
    this.page = 0;
    this.spec = spec;
    this.logic = null; // logic.js: relevant, required, constraint, calculate, itemsets, counts, outputs
    this.checks = new Checks(this); // checks.js: messages as the officer goes, Next, Submit
    this.langCode = "th";
  }

  init() {
    const calcs = Array.from(this.form.querySelectorAll(".instance-only .calc"));
    this.preloads = calcs.filter((c) => c.dataset.preload)
      .map((c) => ({ path: c.dataset.path, preload: c.dataset.preload, params: c.dataset.preloadParams }));
    this.form.querySelectorAll(".repeat").forEach((s) => this.model.declareRepeat(s.dataset.path));
    this.model.initialise(this.preloads);
    this.bindTree(this.form, this.model.root);
    if (this.spec) this.logic = new Logic(this, this.spec);

    this.form.addEventListener("input", (e) => this.#onInput(e));
    this.form.addEventListener("change", (e) => this.#onInput(e));
    this.form.addEventListener("click", (e) => this.#onClick(e));
    // Leaving a question (or committing a choice) checks its type and constraint (checks.js).
    this.form.addEventListener("focusout", (e) => this.#onLeave(e));
    this.form.addEventListener("paste", (e) => this.#onPaste(e));
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.model.addEventListener("change", (e) => {
      if (this.logic) this.logic.changed(e.detail.node);
      else this.refreshOutputs();
    });
    this.root.querySelectorAll(".lang-switch [data-li]").forEach((b) =>
      b.addEventListener("click", () => this.setLanguage(Number(b.dataset.li))));
    const saved = Number(localStorage.getItem("chumchon.lang.index"));
    const savedFor = localStorage.getItem("chumchon.lang.form");
    this.setLanguage(savedFor === this.root.dataset.formId && saved >= 0 ? saved : Number(this.form.dataset.li || 0));

    this.pages = Array.from(this.form.querySelectorAll(".page"));
    this.pager = this.root.querySelector(".fill-pager");
    this.pager.querySelector(".page-back").addEventListener("click", () => this.showPage(this.page - 1, -1));
    this.pager.querySelector(".page-next").addEventListener("click", () => this.next());
    this.form.classList.add("paged");
    this.pager.hidden = false;
    const first = Math.max(0, Math.min(this.startPage || 0, this.pages.length - 1));
    if (this.logic) this.logic.start(this.pages[first] || null); // the rest of the logic settles later
    else this.refreshOutputs();
    this.showPage(first, 0, false);
  }

  /** Next page, unless an answer on this one is missing or wrong: then the page stays and says which. */
  next() {
    if (!this.checks.checkPage(this.pages[this.page])) return false;
    this.showPage(this.page + 1, 1);
    return true;
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
    for (const g of container.querySelectorAll("fieldset.group[data-path]")) {
      if (this.#owner(g) !== container) continue;
      g._node = this.model.find(g.dataset.path, context);
      if (g._node) (g._node._views ||= []).push(g);
    }
  }

  #bindQuestion(q, context) {
    q._node = this.model.find(q.dataset.path, context);
    if (!q._node) {
      console.warn("no instance node for", q.dataset.path);
      return;
    }
    (q._node._views ||= []).push(q);
    const widget = WIDGETS[q.dataset.widget];
    if (widget) widget.init(q, this);
    // Long choice lists (a district's groups) get the type-ahead picker (widgets/picker.js).
    if (q.dataset.widget === "select_one" && !q.classList.contains("q-minimal")) q._picker = new Picker(q, this);
    this.show(q);
    q._picker?.refresh();
  }

  /** Puts the model's value into the question's inputs. */
  show(q) {
    const value = this.model.get(q._node);
    const widget = WIDGETS[q.dataset.widget];
    if (widget) return widget.show(q, value);
    const inputs = q.querySelectorAll("[data-bind]");
    // A number being typed that is not one yet (the instance holds ""): the text stays as typed.
    if (q._typeError && value === "") return;
    q._typeError = null;
    const format = FORMATS[q.dataset.widget];
    for (const input of inputs) {
      if (input.type === "radio") input.checked = input.value === value;
      else if (input.type === "checkbox") input.checked = value.split(" ").includes(input.value);
      else input.value = format ? format.show(value) : value;
    }
    const out = q.querySelector(".range-out");
    if (out) out.textContent = value || "—";
    if (q._picker?.active) q._picker.apply();
  }

  /** The value the question's inputs hold, in the instance's format. */
  read(q) {
    const inputs = Array.from(q.querySelectorAll("[data-bind]"));
    if (!inputs.length) return "";
    if (inputs[0].type === "radio") return inputs.find((i) => i.checked)?.value || "";
    if (inputs[0].type === "checkbox") return inputs.filter((i) => i.checked).map((i) => i.value).join(" ");
    if (NUMBER_WIDGETS.has(q.dataset.widget)) {
      const { value, error } = parseNumber(inputs[0].value, q.dataset.widget === "integer");
      q._typeError = error;
      return value;
    }
    const format = FORMATS[q.dataset.widget];
    return format ? format.read(inputs[0].value) : inputs[0].value;
  }

  setValue(q, value) {
    this.model.set(q._node, value);
  }

  #onInput(e) {
    if (!e.target.hasAttribute("data-bind")) return;
    const q = e.target.closest(".q");
    if (!q || !q._node) return;
    this.setValue(q, this.read(q));
    const out = q.querySelector(".range-out");
    if (out) out.textContent = this.model.get(q._node) || "—";
    // Typing: a number refused says so at once; a message already shown goes as soon as it is fixed.
    // A choice (radio, checkbox, select) is final: checked now.
    const committed = e.type === "change" && (e.target.type === "radio" || e.target.type === "checkbox" || e.target.tagName === "SELECT");
    this.checks.recheck(q, { show: committed || Boolean(q._typeError) });
  }

  #onLeave(e) {
    const q = e.target.closest?.(".q");
    if (!q || !q._node || q.contains(e.relatedTarget)) return;
    this.checks.recheck(q, { show: true });
  }

  // A national ID pasted as printed on the card ("1 2345 67890 12 3"): its digits only, so the
  // 13-character limit keeps the whole number.
  #onPaste(e) {
    const input = e.target;
    if (!input.closest?.(".q[data-national-id]") || !e.clipboardData) return;
    const digits = e.clipboardData.getData("text").replace(/[\u0E50-\u0E59]/g, (d) => String(d.charCodeAt(0) - 0x0e50)).replace(/\D/g, "");
    e.preventDefault();
    input.setRangeText(digits, input.selectionStart, input.selectionEnd, "end");
    input.dispatchEvent(new Event("input", { bubbles: true }));
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
    (this.sections ||= []).push(section);
    if (section.dataset.count !== undefined && section.dataset.fixedCount === undefined) {
      section.querySelectorAll(".repeat-add, .repeat-remove").forEach((b) => b.remove());
      section._template.querySelectorAll(".repeat-remove").forEach((b) => b.remove());
    }
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
    (node._views ||= []).push(item);
    section.querySelector(":scope > .repeat-items").append(item);
    this.bindTree(item, node);
    return item;
  }

  addRepeat(section) {
    const node = this.model.addRepeat(section.dataset.path, section._parent);
    if (!node) return null;
    const item = this.#addItemView(section, node);
    this.#renumber(section);
    if (this.logic) this.logic.repeatChanged(section.dataset.path, node, true);
    else this.refreshOutputs();
    item.querySelector("input, select, textarea")?.focus();
    return item;
  }

  /**
   * jr:count: makes the repeat at `path` under `parent` hold `want` instances (adding at the end,
   * removing from the end). Returns the nodes added, or null when nothing changed.
   */
  setRepeatCount(path, parent, want) {
    const section = (this.sections || []).find((s) => s.dataset.path === path && s._parent === parent && s.isConnected);
    const nodes = this.model.instances(path, parent);
    if (nodes.length === want) return null;
    const added = [];
    while (nodes.length < want) {
      const node = this.model.addRepeat(path, parent);
      if (!node) break;
      nodes.push(node);
      added.push(node);
      if (section) this.#addItemView(section, node);
    }
    while (nodes.length > want) {
      const node = nodes.pop();
      for (const v of node._views || []) if (v.classList.contains("repeat-item")) v.remove();
      this.model.removeRepeat(node);
    }
    if (section) this.#renumber(section);
    return added;
  }

  removeRepeat(item) {
    const section = item.closest(".repeat");
    if (!confirm("ลบรายการนี้? / Remove this item?")) return;
    this.model.removeRepeat(item._node);
    item.remove();
    this.#renumber(section);
    if (this.logic) this.logic.repeatChanged(section.dataset.path, item._node, false);
    else this.refreshOutputs();
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
      if (on) this.langCode = b.lang || "th";
    }
    this.checks.languageChanged(); // messages shown follow the language
    for (const opt of this.form.querySelectorAll(`option[data-l${index}]`)) opt.textContent = opt.dataset[`l${index}`];
    if (this.logic && this.logic.tasks.length) this.logic.languageChanged();
    try {
      localStorage.setItem("chumchon.lang.index", String(index));
      localStorage.setItem("chumchon.lang.form", this.root.dataset.formId);
    } catch { /* private mode: the choice lasts for this page only */ }
  }

  // ---- pages -----------------------------------------------------------------------------

  /** Whether a page shows anything (its questions may all be non-relevant). */
  pageShows(page) {
    for (const el of page.querySelectorAll(".q, .repeat")) if (!el.closest(".nonrelevant")) return true;
    return false;
  }

  /** Shows page `index`; with `dir` (+1 / -1) pages with nothing relevant are skipped that way. */
  showPage(index, dir = 0, settle = true) {
    if (settle) this.logic?.settle(); // the logic of other pages, before one is shown
    const total = this.pages.length;
    index = Math.max(0, Math.min(index, total - 1));
    if (dir) {
      let i = index;
      while (i >= 0 && i < total && !this.pageShows(this.pages[i])) i += dir;
      if (i >= 0 && i < total) index = i;
      else if (dir > 0) index = total - 1;
    }
    this.page = index;
    if (this.checks.banner && this.checks.banner.page !== null && this.checks.banner.page !== index) this.checks.clearBanner();
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

  // ---- what the logic changes on screen ----------------------------------------------------

  /** Shows or hides a question, group or repeat item as its relevance says. */
  setRelevant(el, relevant) {
    el.style.display = relevant ? "" : "none";
    el.classList.toggle("nonrelevant", !relevant);
    if (!relevant && el.classList.contains("q")) this.clearMessage(el);
  }

  setReadonly(q, readonly) {
    for (const input of q.querySelectorAll("[data-bind], button, input")) {
      if (input.type === "radio" || input.type === "checkbox" || input.tagName === "SELECT" || input.tagName === "BUTTON") input.disabled = readonly;
      else input.readOnly = readonly;
    }
    q.classList.toggle("readonly", readonly);
  }

  /**
   * The choices a select offers now (choice_filter, external lists): `list` = [{value, label}] with
   * label a {language: text} object. Rendered choices not in the list are hidden; missing ones are
   * created; all are put in the list's order.
   */
  setChoices(q, list) {
    const select = q.querySelector("select[data-bind]");
    const box = select || q.querySelector(".choices");
    if (!box) return;
    if (!q._choiceEls) {
      q._choiceEls = new Map();
      for (const input of q.querySelectorAll(select ? "option" : "input[data-bind]")) {
        if (input.value === "" && select) continue;
        q._choiceEls.set(input.value, select ? input : input.closest(".choice"));
      }
    }
    q._choiceLabels = new Map(list.map((c) => [c.value, c.label]));
    const wanted = new Set(list.map((c) => c.value));
    for (const [value, el] of q._choiceEls) {
      const show = wanted.has(value);
      el.hidden = !show;
      if (select) el.disabled = !show;
    }
    const name = q.querySelector("input[data-bind]")?.name || `${q.dataset.path}-c${++this.serial}`;
    const type = q.dataset.widget === "select_multiple" ? "checkbox" : "radio";
    for (const c of list) {
      let el = q._choiceEls.get(c.value);
      const text = this.logic ? this.logic.textIn(c.label) : c.value;
      if (!el) {
        if (select) {
          el = document.createElement("option");
          el.value = c.value;
        } else {
          el = document.createElement("label");
          el.className = "choice";
          const input = document.createElement("input");
          input.type = type;
          input.name = name;
          input.value = c.value;
          input.setAttribute("data-bind", "");
          const span = document.createElement("span");
          span.className = "choice-label";
          el.append(input, span);
        }
        el._dynamic = true;
        q._choiceEls.set(c.value, el);
      }
      if (el._dynamic) {
        if (select) el.textContent = text;
        else el.querySelector(".choice-label").textContent = text;
      }
      box.append(el); // in the list's order
    }
    this.show(q);
    q._picker?.refresh();
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

  /** Every problem of the form (Submit): marks the questions and returns them in order. */
  checkRequired() {
    return this.checks.validate(null, true);
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

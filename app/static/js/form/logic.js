// Form logic: the binds of the form (relevant, required, constraint, calculate, readonly, itemsets
// with choice_filter, jr:count, label outputs, setvalue actions) as a dependency graph built once,
// evaluated once in full at start, then incrementally: a change re-runs only the tasks that read
// what changed, in topological order (a calculate runs before whatever reads its value).
//
// A task = one bind property of one path (e.g. relevant of /data/a); it runs over every instance
// node of that path (repeats). What a task reads comes from xpath.js references(); "rel:/data/g"
// is the relevance of /data/g (required and constraint depend on it). Non-relevant nodes carry
// `_nr`; their views are hidden, and the submission blanks them (Model.serialize).
import { bilingual, MSG } from "./checks.js";
import { references, XPathError } from "./xpath.js";

const MAX_REPEATS = 500;

const parentPath = (p) => p.slice(0, p.lastIndexOf("/"));
const ancestorsOf = (p) => {
  const out = [];
  for (let q = parentPath(p); q; q = parentPath(q)) out.push(q);
  return out;
};

// A small binary heap of tasks by rank.
class Queue {
  constructor() { this.a = []; this.in = new Set(); }
  push(t) {
    if (this.in.has(t)) return;
    this.in.add(t);
    const a = this.a;
    a.push(t);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p].rank <= a[i].rank) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].rank < a[m].rank) m = l;
        if (r < a.length && a[r].rank < a[m].rank) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    this.in.delete(top);
    return top;
  }
  get size() { return this.a.length; }
}

export class Logic {
  /**
   * @param view the View (questions bound to instance nodes)
   * @param spec {languages, default, binds: [{path, kind, type, relevant?, required?, constraint?,
   *   calculate?, readonly?, count?, itemset?, choices?, actions?, control?}]}
   */
  constructor(view, spec) {
    this.view = view;
    this.model = view.model;
    this.spec = spec;
    this.binds = new Map(spec.binds.map((b) => [b.path, b]));
    this.tasks = [];
    this.readers = new Map(); // key -> tasks reading it
    this.cache = new Map(); // changed path -> affected tasks
    this.nodeCache = new Map(); // path -> instance nodes
    this.cycles = [];
    this.errors = [];
    this.busy = false;
    this.initialising = false;
    this.timing = { build: 0, first: 0 };
  }

  // ---- the graph -------------------------------------------------------------------------

  build() {
    const t0 = performance.now();
    const relPaths = new Set(this.spec.binds.filter((b) => b.relevant).map((b) => b.path));
    const relKeys = (path) => [path, ...ancestorsOf(path)].filter((p) => relPaths.has(p)).map((p) => "rel:" + p);
    const add = (kind, path, expr, reads, writes = null, extra = {}) => {
      const task = { kind, path, expr, reads, writes, rank: 0, id: this.tasks.length, ...extra };
      this.tasks.push(task);
      return task;
    };
    const refs = (expr, ctx) => references(expr, ctx);
    for (const b of this.spec.binds) {
      const p = b.path;
      if (b.relevant) add("relevant", p, b.relevant, refs(b.relevant, p), "rel:" + p);
      if (b.calculate) add("calculate", p, b.calculate, refs(b.calculate, p), p);
      if (b.readonly && b.readonly.replace(/\s/g, "") !== "true()" && b.readonly.replace(/\s/g, "") !== "false()") {
        add("readonly", p, b.readonly, refs(b.readonly, p));
      }
      if (b.required && !/^(true|false)\(\)$/.test(b.required.replace(/\s/g, ""))) {
        add("required", p, b.required, [...refs(b.required, p), ...relKeys(p)]);
      }
      if (b.constraint) add("constraint", p, b.constraint, [...refs(b.constraint, p), p, ...relKeys(p)]);
      if (b.count && !/^\d+$/.test(b.count)) add("count", p, b.count, refs(b.count, parentPath(p)), p);
      if (b.itemset && (b.itemset.nodeset.includes("[") || b.itemset.file || !b.choices)) {
        const reads = refs(b.itemset.nodeset, p);
        add("itemset", p, b.itemset.nodeset, reads.filter((r) => r !== "*"), p);
      }
      for (const a of b.actions || []) {
        if (a.action !== "setvalue") continue;
        const events = (a.event || "").split(/\s+/);
        if (events.includes("xforms-value-changed") && a.trigger) {
          add("action", p, a.value || "", [a.trigger], p, { action: a, trigger: a.trigger });
        }
      }
    }
    this.#collectOutputs();
    // readers index
    for (const t of this.tasks) {
      for (const r of t.reads) {
        if (r === "@now") continue;
        if (!this.readers.has(r)) this.readers.set(r, []);
        this.readers.get(r).push(t);
      }
    }
    this.#rank();
    this.timing.build = performance.now() - t0;
  }

  // Output tasks: one per (expression, holder path) of the `.out[data-ref]` spans in labels/hints.
  #collectOutputs() {
    this.outputs = new Map();
    for (const el of this.view.form.querySelectorAll(".out[data-ref]")) {
      const holder = el.closest(".q[data-path], .repeat-item[data-path]");
      const ctx = holder ? holder.dataset.path : this.model.pathOf(this.model.root);
      const key = el.dataset.ref + "\u0000" + ctx;
      if (!this.outputs.has(key)) {
        this.outputs.set(key, true);
        this.tasks.push({ kind: "output", path: ctx, expr: el.dataset.ref, reads: references(el.dataset.ref, ctx),
          writes: null, rank: 0, id: this.tasks.length, key });
      }
    }
  }

  // Tasks affected when the value at `path` changes (structure: its subtree was added/removed too).
  affected(path, structure = false) {
    const key = (structure ? "S" : "V") + path;
    let out = this.cache.get(key);
    if (out) return out;
    const set = new Set();
    const addAll = (k) => (this.readers.get(k) || []).forEach((t) => set.add(t));
    addAll(path);
    addAll("*");
    for (const a of ancestorsOf(path)) addAll(a);
    if (structure) {
      const prefix = path + "/";
      for (const [k, ts] of this.readers) if (k.startsWith(prefix)) ts.forEach((t) => set.add(t));
    }
    out = [...set];
    this.cache.set(key, out);
    return out;
  }

  #readersOfKey(key) {
    if (key.startsWith("rel:")) return this.readers.get(key) || [];
    return this.affected(key, this.binds.get(key)?.kind === "repeat");
  }

  // Topological ranks (Kahn). Cycles are reported and their tasks ranked after the rest.
  #rank() {
    const edges = new Map();
    const indeg = new Map(this.tasks.map((t) => [t, 0]));
    for (const t of this.tasks) {
      if (!t.writes) continue;
      const outs = this.#readersOfKey(t.writes).filter((r) => r !== t);
      edges.set(t, outs);
      for (const r of outs) indeg.set(r, indeg.get(r) + 1);
    }
    const ready = this.tasks.filter((t) => indeg.get(t) === 0);
    let rank = 0;
    while (ready.length) {
      const t = ready.pop();
      t.rank = rank++;
      for (const r of edges.get(t) || []) {
        indeg.set(r, indeg.get(r) - 1);
        if (indeg.get(r) === 0) ready.push(r);
      }
    }
    const stuck = this.tasks.filter((t) => indeg.get(t) > 0);
    if (stuck.length) {
      this.cycles = stuck.filter((t) => t.writes && !t.writes.startsWith("rel:")).map((t) => `${t.kind} ${t.path}`);
      console.warn("แบบฟอร์มมีการคำนวณที่อ้างอิงวนกัน / the form's logic has a cycle:", this.cycles.join(" → "));
      for (const t of stuck) t.rank = rank++;
    }
  }

  // ---- evaluation ---------------------------------------------------------------------------

  // Instance nodes of a path; cached until repeat instances come or go. A miss indexes the whole
  // instance in one walk (path -> nodes in document order): looking each path up step by step cost
  // O(paths x siblings), 0.8 s on a form with 1,000 calculates at the root under 4x throttling.
  nodesAt(path) {
    if (!this.nodeCache.size) this.#indexNodes();
    return this.nodeCache.get(path) || [];
  }

  #indexNodes() {
    const index = this.nodeCache;
    const walk = (el, path) => {
      const list = index.get(path);
      if (list) list.push(el);
      else index.set(path, [el]);
      for (let c = el.firstElementChild; c; c = c.nextElementSibling) walk(c, path + "/" + c.nodeName);
    };
    walk(this.model.root, "/" + this.model.root.nodeName);
  }

  #eval(task, node, result) {
    try {
      return this.model.evaluate(task.expr, node, result);
    } catch (e) {
      const key = task.kind + task.path;
      if (!this.errors.includes(key)) {
        this.errors.push(key);
        console.warn(`${task.kind} ${task.path}:`, e instanceof XPathError ? e.message : e);
      }
      return result === "boolean" ? task.kind !== "relevant" && task.kind !== "constraint" ? false : true
        : result === "nodes" ? [] : "";
    }
  }

  /** The first full evaluation: first-load actions, then every task in rank order. An instance that
   *  was loaded (a draft, a record being corrected: view.loaded) is not new: ODK fires
   *  odk-instance-first-load only for a new record, so its dynamic defaults (today() …) stay as saved. */
  start(page = null) {
    const t0 = performance.now();
    this.build();
    this.initialising = true;
    this.busy = true;
    try {
      for (const b of this.view.loaded ? [] : this.spec.binds) {
        for (const a of b.actions || []) {
          if (a.action === "setvalue" && (a.event || "").split(/\s+/).includes("odk-instance-first-load")) {
            for (const n of this.nodesAt(b.path)) this.#setValue(n, a.value ? this.#eval({ kind: "action", path: b.path, expr: a.value }, n, "value") : (a.text || ""));
          }
        }
      }
      this.#refreshOutputIndex();
      // With `page`, only what that page shows or depends on is evaluated now; the rest waits for
      // settle() (the next idle moment, or the first thing that needs it): the first page is
      // usable sooner, and correct (benchmarks/page_weight.py, form_logic.py).
      const first = page ? this.#closure(page) : null;
      const q = new Queue();
      for (const t of this.tasks) if (t.kind !== "action" && (!first || first.has(t))) q.push(t);
      this.#drain(q);
      this.deferred = first ? this.tasks.filter((t) => t.kind !== "action" && !first.has(t)) : null;
    } finally {
      this.busy = false;
      this.initialising = false;
    }
    this.timing.first = performance.now() - t0;
    this.timing.deferred = this.deferred ? this.deferred.length : 0;
  }

  /** The rest of the first evaluation (what the first page did not need), once; every entry point
   *  that reads or changes the form's state calls it first. */
  settle() {
    const rest = this.deferred;
    if (!rest) return;
    this.deferred = null;
    const t0 = performance.now();
    const wasBusy = this.busy;
    this.initialising = true;
    this.busy = true;
    try {
      const q = new Queue();
      for (const t of rest) q.push(t);
      this.#drain(q);
    } finally {
      this.busy = wasBusy;
      this.initialising = false;
    }
    this.timing.settle = performance.now() - t0;
  }

  // The tasks a page needs at start: those of its questions, groups and outputs (and of their
  // ancestors), every repeat count, and, transitively, whatever writes what they read. null when a
  // task reads anything ("*"): then everything is evaluated at once.
  #closure(pageEl) {
    const paths = new Set();
    for (const el of [pageEl, ...pageEl.querySelectorAll("[data-path]")]) {
      if (el.dataset?.path) [el.dataset.path, ...ancestorsOf(el.dataset.path)].forEach((p) => paths.add(p));
    }
    for (let a = pageEl.parentElement; a; a = a.parentElement) if (a.dataset?.path) paths.add(a.dataset.path);
    const outs = new Set(pageEl.querySelectorAll(".out[data-ref]"));
    const exact = new Map();
    const under = new Map();
    for (const t of this.tasks) {
      if (!t.writes || t.kind === "action") continue;
      if (!exact.has(t.writes)) exact.set(t.writes, []);
      exact.get(t.writes).push(t);
      for (const a of [t.writes, ...ancestorsOf(t.writes)]) {
        if (!under.has(a)) under.set(a, []);
        under.get(a).push(t);
      }
    }
    const need = new Set();
    const todo = [];
    const add = (t) => { if (!need.has(t)) { need.add(t); todo.push(t); } };
    for (const t of this.tasks) {
      if (t.kind === "action") continue;
      if (t.kind === "count" || (t.kind === "output" ? (this.outputIndex?.get(t.key) || []).some((el) => outs.has(el))
        : paths.has(t.path))) add(t);
    }
    while (todo.length) {
      const t = todo.pop();
      for (const r of t.reads) {
        if (r === "*") return null;
        if (r === "@now") continue;
        (under.get(r) || []).forEach(add);
        if (!r.startsWith("rel:")) for (const a of ancestorsOf(r)) (exact.get(a) || []).forEach(add);
      }
    }
    return need;
  }

  /** A value changed (the user answered): re-run what depends on it. */
  changed(node) {
    if (this.busy) return;
    this.settle();
    this.busy = true;
    try {
      const q = new Queue();
      this.changedNodes = new Map([[this.model.pathOf(node), [node]]]);
      for (const t of this.affected(this.model.pathOf(node))) q.push(t);
      this.#drain(q);
    } finally {
      this.busy = false;
    }
  }

  /** A repeat instance was added (after its view is bound) or removed. */
  repeatChanged(path, node, added) {
    this.settle();
    this.nodeCache.clear();
    const wasBusy = this.busy;
    this.busy = true;
    try {
      if (added) this.#newRepeatActions(path, node);
      const q = new Queue();
      for (const t of this.affected(path, true)) q.push(t);
      if (added) {
        const prefix = path + "/";
        for (const t of this.tasks) {
          if ((t.path === path || t.path.startsWith(prefix)) && t.kind !== "action") q.push(t);
        }
      }
      if (!this.outputsFresh) this.#refreshOutputIndex();
      this.#drain(q);
    } finally {
      this.busy = wasBusy;
    }
  }

  #newRepeatActions(path, node) {
    const prefix = path + "/";
    for (const b of this.spec.binds) {
      if (b.path !== path && !b.path.startsWith(prefix)) continue;
      for (const a of b.actions || []) {
        if (a.action !== "setvalue" || !(a.event || "").split(/\s+/).includes("odk-new-repeat")) continue;
        for (const n of this.nodesAt(b.path)) {
          if (n === node || node.contains(n)) {
            this.#setValue(n, a.value ? this.#eval({ kind: "action", path: b.path, expr: a.value }, n, "value") : "");
          }
        }
      }
    }
  }

  #drain(q) {
    this.changedNodes = this.changedNodes || new Map();
    let guard = 0;
    while (q.size) {
      const t = q.pop();
      if (++guard > 200000) {
        console.warn("form logic did not settle / การคำนวณไม่สิ้นสุด");
        break;
      }
      this.dirty = [];
      const t0 = this.initialising ? performance.now() : 0;
      const changed = this[`run_${t.kind}`](t);
      if (this.initialising) this.timing[t.kind] = (this.timing[t.kind] || 0) + performance.now() - t0;
      // values this task changed besides its own output (relevance clearing or restoring answers)
      for (const p of this.dirty) if (p !== t.writes) for (const r of this.affected(p)) if (r !== t) q.push(r);
      if (changed && t.writes) {
        for (const r of this.#readersOfKey(t.writes)) if (r !== t && r.rank > t.rank) q.push(r);
      }
      if (changed && t.kind === "count") {
        this.nodeCache.clear();
        // new or removed repeat instances: their own logic, their new-repeat actions, outputs
        this.#refreshOutputIndex();
        for (const node of changed) this.#newRepeatActions(t.path, node);
        const prefix = t.path + "/";
        for (const x of this.tasks) if (x.path.startsWith(prefix) && x.kind !== "action") q.push(x);
        for (const x of this.tasks) if (x.kind === "output") q.push(x);
      }
    }
    this.changedNodes = new Map();
  }

  #setValue(node, value) {
    if (node.textContent === value) return false;
    this.model.set(node, value);
    if (this.dirty) this.dirty.push(this.model.pathOf(node));
    for (const v of node._views || []) if (v.classList.contains("q")) this.view.show(v);
    const path = this.model.pathOf(node);
    const list = this.changedNodes && this.changedNodes.get(path);
    if (list) list.push(node);
    else if (this.changedNodes) this.changedNodes.set(path, [node]);
    return true;
  }

  // ---- tasks ------------------------------------------------------------------------------

  // Relevance. A node that stops being relevant has its answers (its own, its descendants') put
  // aside and blanked, so every expression sees what the server will see in the submission (where
  // non-relevant values are blank); they come back if it becomes relevant again.
  run_relevant(t) {
    let changed = false;
    for (const n of this.nodesAt(t.path)) {
      const nr = !this.#eval(t, n, "boolean");
      if (!!n._nr !== nr) {
        n._nr = nr;
        changed = true;
        for (const v of n._views || []) this.view.setRelevant(v, !nr);
        this.#putAside(n, nr);
      } else if (this.initialising && nr) {
        for (const v of n._views || []) this.view.setRelevant(v, false);
        this.#putAside(n, true);
      }
    }
    return changed;
  }

  #putAside(node, aside) {
    const leaves = node.children.length ? Array.from(node.getElementsByTagName("*")).filter((e) => !e.children.length) : [node];
    for (const leaf of leaves) {
      if (aside) {
        if (leaf.textContent !== "") {
          leaf._kept = leaf.textContent;
          this.#setValue(leaf, "");
        }
      } else if (leaf._kept !== undefined) {
        if (leaf.textContent === "" && this.isRelevant(leaf)) this.#setValue(leaf, leaf._kept);
        delete leaf._kept;
      }
    }
  }

  run_calculate(t) {
    let changed = false;
    for (const n of this.nodesAt(t.path)) {
      if (!this.isRelevant(n)) continue;
      if (this.#setValue(n, this.#eval(t, n, "value"))) changed = true;
    }
    return changed;
  }

  run_readonly(t) {
    for (const n of this.nodesAt(t.path)) {
      const ro = this.#eval(t, n, "boolean");
      for (const v of n._views || []) this.view.setReadonly(v, ro);
    }
    return false;
  }

  run_required(t) {
    for (const n of this.nodesAt(t.path)) n._req = this.#eval(t, n, "boolean");
    return false;
  }

  // A broken constraint is shown when the question is left, at Next or Submit (checks.js); a message
  // already shown is updated or cleared at once, also when another answer fixed it.
  run_constraint(t) {
    for (const n of this.nodesAt(t.path)) {
      const bad = n.textContent !== "" && this.isRelevant(n) && !this.#eval(t, n, "boolean");
      const was = !!n._bad;
      n._bad = bad;
      if (this.initialising || bad === was) continue;
      for (const v of n._views || []) if (v.classList.contains("q")) this.view.checks.recheck(v, { show: false });
    }
    return false;
  }

  // Returns the instance nodes added (truthy when anything changed), or false.
  run_count(t) {
    let changed = false;
    const added = [];
    for (const parent of this.nodesAt(parentPath(t.path))) {
      if (!this.isRelevant(parent)) continue;
      let want = Math.round(Number(this.#eval(t, parent, "number")));
      if (!Number.isFinite(want) || want < 0) want = 0;
      want = Math.min(want, MAX_REPEATS);
      const result = this.view.setRepeatCount(t.path, parent, want);
      if (result) {
        changed = true;
        added.push(...result);
      }
    }
    return changed ? added : false;
  }

  run_itemset(t) {
    const b = this.binds.get(t.path);
    let changed = false;
    for (const n of this.nodesAt(t.path)) {
      const items = this.#eval(t, n, "nodes");
      const value = b.itemset.value || "name";
      const labelRef = b.itemset.label || "label";
      const list = items.map((item) => {
        const v = childText(item, value);
        return { value: v, label: this.#itemLabel(b, item, labelRef, v) };
      });
      for (const view of n._views || []) if (view.classList.contains("q")) this.view.setChoices(view, list);
      // ODK drops answers that are no longer among the choices
      const allowed = new Set(list.map((c) => c.value));
      const cur = n.textContent;
      if (cur) {
        const kept = b.control === "select" ? cur.split(" ").filter((v) => allowed.has(v)).join(" ") : allowed.has(cur) ? cur : "";
        if (kept !== cur && this.#setValue(n, kept)) changed = true;
      }
    }
    return changed;
  }

  #itemLabel(b, item, labelRef, value) {
    if (b.choices) {
      const c = b.choices.find((x) => x.name === value);
      if (c) return c.label;
    }
    const m = /^jr:itext\((.*)\)$/.exec(labelRef);
    if (m) return { default: value };
    const labels = {};
    for (const c of item.children) {
      if (c.nodeName === labelRef) labels.default = c.textContent;
      else if (c.nodeName.startsWith(labelRef + "_")) labels[c.nodeName.slice(labelRef.length + 1)] = c.textContent;
    }
    if (!("default" in labels)) labels.default = value;
    return labels;
  }

  run_action(t) {
    // setvalue on xforms-value-changed of the trigger: only when the trigger itself changed
    const sources = this.changedNodes.get(t.trigger);
    if (!sources || !sources.length) return false;
    let changed = false;
    for (const n of this.nodesAt(t.path)) {
      // within repeats: the target in the same repeat instance as the trigger that changed
      if (!sources.some((s) => sameRepeatScope(s, n, this.model.root))) continue;
      const v = t.expr ? this.#eval(t, n, "value") : "";
      if (this.#setValue(n, v)) changed = true;
    }
    return changed;
  }

  run_output(t) {
    const els = this.outputIndex?.get(t.key) || [];
    const target = this.binds.get(resolvePath(t.expr, t.path));
    for (const el of els) {
      const holder = el.closest(".q[data-path], .repeat-item[data-path]");
      const ctx = (holder && holder._node) || this.model.root;
      let text = this.#eval(t, ctx, "string");
      if (target && (target.choices || target.itemset) && text) {
        text = text.split(" ").map((v) => this.choiceLabel(target.path, v) ?? v).join(target.control === "select" ? ", " : " ");
      }
      if (el.textContent !== text) el.textContent = text;
    }
    return false;
  }

  #refreshOutputIndex() {
    const idx = new Map();
    for (const el of this.view.form.querySelectorAll(".out[data-ref]")) {
      const holder = el.closest(".q[data-path], .repeat-item[data-path]");
      const ctx = holder ? holder.dataset.path : this.model.pathOf(this.model.root);
      const key = el.dataset.ref + "\u0000" + ctx;
      if (!idx.has(key)) idx.set(key, []);
      idx.get(key).push(el);
    }
    this.outputIndex = idx;
  }

  /** The language switched: choice lists built here and outputs showing labels follow it. */
  languageChanged() {
    this.settle();
    const wasBusy = this.busy;
    this.busy = true;
    try {
      const q = new Queue();
      for (const t of this.tasks) if (t.kind === "itemset" || t.kind === "output") q.push(t);
      this.#drain(q);
    } finally {
      this.busy = wasBusy;
    }
  }

  refreshOutputs() {
    this.#refreshOutputIndex();
    for (const t of this.tasks) if (t.kind === "output") this.run_output(t);
  }

  // ---- lookups used by the view and xpath.js ------------------------------------------------

  language() {
    const langs = this.spec.languages || ["default"];
    return langs[Number(this.view.form.dataset.li || 0)] || langs[0];
  }

  textIn(texts) {
    if (!texts) return "";
    if (typeof texts === "string") return texts;
    const lang = this.language();
    return texts[lang] ?? texts[this.spec.default] ?? texts.default ?? Object.values(texts)[0] ?? "";
  }

  /** The label of choice `value` of the select at `path`, in the current language (or null). */
  choiceLabel(path, value) {
    const b = this.binds.get(path);
    if (!b) return null;
    if (b.choices) {
      const c = b.choices.find((x) => x.name === value);
      if (c) return this.textIn(c.label) || value;
    }
    if (b.itemset) {
      for (const n of this.nodesAt(path).slice(0, 1)) {
        for (const v of n._views || []) {
          const label = v._choiceLabels && v._choiceLabels.get(value);
          if (label) return this.textIn(label);
        }
      }
    }
    return null;
  }

  isRelevant(node) {
    for (let n = node; n && n.nodeType === 1; n = n.parentNode) {
      if (n._nr) return false;
      if (n === this.model.root) break;
    }
    return true;
  }

  constraintMessage(q, langCode = "th") {
    const custom = q.querySelector(":scope > .q-constraint-msg");
    return custom ? custom.innerHTML : bilingual(MSG.constraint, langCode);
  }

  /** Checks required-when-relevant, types and constraints under `scope` (a page; or the whole form);
   *  marks the questions that fail and returns them in page order (checks.js). */
  validate(scope = null, requiredToo = true) {
    return this.view.checks.validate(scope, requiredToo);
  }

  /** For the submission: is this element blanked (not relevant)? */
  blank = (el) => !!el._nr;
}

function childText(item, name) {
  if (name === "." ) return item.textContent;
  for (const c of item.children) if (c.nodeName === name) return c.textContent;
  return "";
}

// Resolves a simple output reference (absolute or ../relative path) to a generic path, else null.
function resolvePath(expr, ctx) {
  const e = expr.trim();
  if (!/^[\w./:-]+$/.test(e)) return null;
  if (e.startsWith("/")) return e;
  const out = ctx.split("/").filter(Boolean);
  for (const s of e.split("/")) {
    if (s === "..") out.pop();
    else if (s !== "." && s) out.push(s);
  }
  return "/" + out.join("/");
}

// True when `a` and `b` are in the same instance of every repeat they share.
function sameRepeatScope(a, b, root) {
  const chain = (n) => {
    const out = [];
    for (let x = n; x && x !== root; x = x.parentNode) out.unshift(x);
    return out;
  };
  const ca = chain(a);
  const cb = chain(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i].nodeName !== cb[i].nodeName) return true;
    if (ca[i] !== cb[i]) return false;
  }
  return true;
}

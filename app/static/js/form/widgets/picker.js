// A choice list that scales (a district's 60-400 groups, a province's villages): a select_one with
// more than PICK_FROM options (or the `autocomplete` / `search` appearance, which ODK Collect also
// reads) gets a type-ahead search over every text of each option (label, code and the other columns
// of its CSV row: the group's village), options in natural order (2 before 10), the officer's
// assigned and recent groups first, and each group assessed this round marked with its date. Once
// one is chosen the list folds to it ("change" opens it again), so the page stays short.
//
// The options stay the radio inputs the view binds (view.setChoices builds them from the choice
// list or the CSV instance); this only orders, filters and annotates them. The extra columns come
// from the registry's groups.csv (app/registry/media.py): village_label, assessed, assigned, recent.
import { beDate, escapeHtml as esc } from "../../util.js";

export const PICK_FROM = 12;
const SHOW_AT_ONCE = 50; // matches listed before "type to narrow"
const collator = new Intl.Collator("th", { numeric: true, sensitivity: "base" });

/** Lower-case text with Thai digits as 0-9, for matching what is typed. */
const fold = (s) => String(s || "").toLowerCase().replace(/[\u0E50-\u0E59]/g, (d) => String(d.charCodeAt(0) - 0x0e50));

export class Picker {
  constructor(q, view) {
    this.q = q;
    this.view = view;
    this.box = q.querySelector(".choices");
    this.active = false;
    this.open = true;
    this.query = "";
    const apps = q.dataset.appearance || "";
    this.forced = /\b(autocomplete|search)\b/.test(apps);
  }

  /** The CSV row (or choice) behind each option: {value -> {text, assessed, assigned, recent, village}}. */
  #rows() {
    const { logic, model } = this.view;
    const b = logic?.binds.get(this.q.dataset.path);
    const out = new Map();
    const id = b?.itemset?.instance;
    if (!id) return out;
    const root = model.doc.querySelector(`instance[id="${CSS.escape(id)}"] > *`);
    const valueRef = b.itemset.value || "name";
    for (const item of root ? root.children : []) {
      const cols = {};
      for (const c of item.children) cols[c.nodeName] = c.textContent;
      out.set(cols[valueRef] ?? "", cols);
    }
    return out;
  }

  /** Called by the view whenever the options change (and once when bound). */
  refresh() {
    const options = Array.from(this.box?.querySelectorAll(":scope > .choice") || []).filter((c) => !c.hidden);
    const want = this.forced || options.length > PICK_FROM;
    if (!want) {
      if (this.active) this.#deactivate();
      return;
    }
    if (!this.active) {
      this.#activate();
      this.open = !options.some((c) => c.querySelector("input").checked); // a restored draft: folded
    }
    this.#annotate(options);
    this.apply();
  }

  #activate() {
    this.active = true;
    this.q.classList.add("has-picker");
    const bar = document.createElement("div");
    bar.className = "picker";
    bar.innerHTML = '<div class="picker-chosen" hidden><span class="picker-chosen-text"></span>' +
      '<button type="button" class="secondary picker-change">เปลี่ยน <span class="en">Change</span></button></div>' +
      '<div class="picker-find"><label class="picker-label"><span class="picker-label-text">ค้นหา: ชื่อ รหัส หรือหมู่บ้าน ' +
      '<span class="en">Search: name, code or village</span></span>' +
      '<input type="search" class="picker-search" autocomplete="off" spellcheck="false" enterkeyhint="search"></label>' +
      '<p class="picker-count" aria-live="polite"></p></div>';
    this.box.before(bar);
    this.bar = bar;
    this.search = bar.querySelector(".picker-search");
    this.search.addEventListener("input", () => {
      this.query = this.search.value;
      this.apply();
    });
    this.search.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      const first = this.#shown()[0];
      if (first) first.querySelector("input").click();
    });
    bar.querySelector(".picker-change").addEventListener("click", () => {
      this.open = true;
      this.apply();
      this.search.focus();
    });
    this.box.addEventListener("change", () => {
      this.open = false;
      this.query = "";
      this.search.value = "";
      this.apply();
    });
  }

  #deactivate() {
    this.active = false;
    this.q.classList.remove("has-picker");
    this.bar?.remove();
    for (const c of this.box.querySelectorAll(".choice")) c.classList.remove("picker-miss", "picker-more");
    this.box.querySelectorAll(".picker-section").forEach((h) => h.remove());
  }

  // The searchable text, the marks and the order of each option.
  #annotate(options) {
    const rows = this.#rows();
    for (const c of options) {
      const input = c.querySelector("input");
      const row = rows.get(input.value) || {};
      const label = c.querySelector(".choice-label")?.textContent || input.value;
      c._search = fold([label, input.value, ...Object.values(row)].join(" "));
      c._sortLabel = label;
      c._assigned = row.assigned === "1";
      c._recent = row.recent || "";
      let meta = c.querySelector(".choice-meta");
      const parts = [];
      if (row.village_label) parts.push(`<span class="picker-village">${esc(row.village_label)}</span>`);
      if (input.value !== label) parts.push(`<span class="picker-code">${esc(input.value)}</span>`);
      if (row.assessed) {
        parts.push(`<span class="picker-done">ประเมินแล้ว ${esc(beDate(row.assessed))} <span class="en">assessed this round</span></span>`);
      }
      c.classList.toggle("assessed", Boolean(row.assessed));
      if (!parts.length) {
        meta?.remove();
        continue;
      }
      if (!meta) {
        meta = document.createElement("span");
        meta.className = "choice-meta";
        c.append(meta);
      }
      meta.innerHTML = parts.join(" · ");
    }
    // Order: assigned, then recent (latest first), then everything in natural order.
    const mine = options.filter((c) => c._assigned).sort((a, b) => collator.compare(a._sortLabel, b._sortLabel));
    const recent = options.filter((c) => !c._assigned && c._recent).sort((a, b) => b._recent.localeCompare(a._recent)).slice(0, 5);
    const rest = options.filter((c) => !mine.includes(c) && !recent.includes(c)).sort((a, b) => collator.compare(a._sortLabel, b._sortLabel));
    this.box.querySelectorAll(".picker-section").forEach((h) => h.remove());
    const section = (th, en, cls) => {
      const h = document.createElement("p");
      h.className = `picker-section ${cls}`;
      h.innerHTML = `${esc(th)} <span class="en">${esc(en)}</span>`;
      return h;
    };
    const order = [];
    if (mine.length) order.push(section("กลุ่มที่รับผิดชอบ", "Assigned to you", "picker-mine"), ...mine);
    if (recent.length) order.push(section("ประเมินล่าสุด", "Recently assessed by you", "picker-recent"), ...recent);
    if (mine.length || recent.length) order.push(section("ทั้งหมด", "All", "picker-all"));
    order.push(...rest);
    const hidden = Array.from(this.box.querySelectorAll(":scope > .choice")).filter((c) => c.hidden);
    this.box.append(...order, ...hidden);
    this.options = [...mine, ...recent, ...rest]; // in the order shown
  }

  #shown() {
    return (this.options || []).filter((c) => !c.classList.contains("picker-miss") && !c.classList.contains("picker-more"));
  }

  /** Filters by what is typed; folds to the chosen option when one is chosen and the list is closed. */
  apply() {
    if (!this.active) return;
    const chosen = this.options.find((c) => c.querySelector("input").checked);
    const folded = chosen && !this.open;
    const words = fold(this.query).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const c of this.options) {
      const match = words.every((w) => c._search.includes(w));
      c.classList.toggle("picker-miss", folded ? c !== chosen : !match);
      const more = !folded && match && shown >= SHOW_AT_ONCE && !c.querySelector("input").checked;
      c.classList.toggle("picker-more", more);
      if (match && !more) shown++;
    }
    const matches = words.length ? this.options.filter((c) => words.every((w) => c._search.includes(w))).length : this.options.length;
    this.box.querySelectorAll(".picker-section").forEach((h) => { h.hidden = folded || words.length > 0; });
    this.bar.querySelector(".picker-find").hidden = folded;
    this.bar.querySelector(".picker-chosen").hidden = !folded;
    if (folded) this.bar.querySelector(".picker-chosen-text").textContent = chosen.querySelector(".choice-label")?.textContent || "";
    const count = this.bar.querySelector(".picker-count");
    count.innerHTML = matches > shown
      ? `แสดง ${shown} จาก ${matches} รายการ พิมพ์เพื่อค้นหา <span class="en">${shown} of ${matches} shown: type to narrow</span>`
      : `${matches} รายการ <span class="en">${matches} found</span>`;
  }
}

// Sortable report tables: a click (or Enter/Space) on a column header sorts the body rows by that
// column, numbers as numbers (cells carry data-value), ascending then descending; the total row in
// <tfoot> stays last. aria-sort tells screen readers the order.

function cellValue(row, index) {
  const cell = row.cells[index];
  if (!cell) return "";
  const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
  return raw;
}

function compare(a, b) {
  const na = a === "" || a === "None" ? NaN : Number(a);
  const nb = b === "" || b === "None" ? NaN : Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (Number.isNaN(na) && !Number.isNaN(nb)) return 1; // empty cells last
  if (!Number.isNaN(na) && Number.isNaN(nb)) return -1;
  return String(a).localeCompare(String(b), "th");
}

export function sortTable(table, index, direction) {
  const body = table.tBodies[0];
  if (!body) return;
  const rows = Array.from(body.rows).filter((r) => r.cells.length > 1);
  rows.sort((r1, r2) => {
    const d = compare(cellValue(r1, index), cellValue(r2, index));
    return direction === "descending" ? -d : d;
  });
  for (const r of rows) body.appendChild(r);
}

export function initSortableTables(root) {
  for (const table of root.querySelectorAll("table[data-sortable]")) {
    const head = table.tHead;
    if (!head || !head.rows.length) continue;
    const headerRow = head.rows[head.rows.length - 1];
    Array.from(headerRow.cells).forEach((th, index) => {
      th.tabIndex = 0;
      th.classList.add("sortable");
      th.setAttribute("role", "columnheader");
      th.title = "เรียงลำดับ / Sort";
      const activate = () => {
        const next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        for (const other of headerRow.cells) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", next);
        sortTable(table, index, next);
      };
      th.addEventListener("click", (e) => { if (!e.target.closest("a")) activate(); });
      th.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(); }
      });
    });
  }
}

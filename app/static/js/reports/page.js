// Report pages (province report, worklist, groups): sortable tables and the print button. Tables are
// complete without this script; it only adds sorting. No inline script anywhere (CSP).
import { initSortableTables } from "./sort.js";

function init() {
  initSortableTables(document);
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

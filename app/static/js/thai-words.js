// Thai line breaking by words. Browsers break Thai with ICU's dictionary; a word it does not know is
// split where the dictionary guesses, mid-word ("หลักธร|รมาภิบาล" in a title). No CSS rule fixes a
// dictionary gap, so the words of app/thai_words.json (the one list; the server wraps form and meeting
// texts with the same list, app/thai_text.py) are wrapped in <span class="nw"> (white-space: nowrap,
// app.css): a line may break before or after them only. Runs on every page once it is parsed (on a
// fill page once the form is ready), and again on what htmx swaps in, for the text the server did not
// wrap: page titles, table headers, labels, buttons, names from the registry.
import { keepWordsPattern } from "./util.js";

const PATTERN = keepWordsPattern();
const SKIP = new Set(["SCRIPT", "STYLE", "TEXTAREA", "OPTION", "TITLE", "INPUT", "SELECT"]);

/** Wraps each listed word in the text under `root` (already wrapped ones are left alone). */
export function keepWords(root = document.body) {
  if (!root) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      const parent = node.parentElement;
      if (!parent || SKIP.has(parent.tagName) || parent.closest(".nw")) return NodeFilter.FILTER_REJECT;
      PATTERN.lastIndex = 0;
      return PATTERN.test(node.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
    },
  });
  const found = [];
  while (walker.nextNode()) found.push(walker.currentNode);
  for (const node of found) {
    const parts = [];
    let last = 0;
    PATTERN.lastIndex = 0;
    for (const m of node.data.matchAll(PATTERN)) {
      if (m.index > last) parts.push(document.createTextNode(node.data.slice(last, m.index)));
      const span = document.createElement("span");
      span.className = "nw";
      span.textContent = m[0];
      parts.push(span);
      last = m.index + m[0].length;
    }
    if (last < node.data.length) parts.push(document.createTextNode(node.data.slice(last)));
    node.replaceWith(...parts);
  }
}

export function initThaiWords() {
  keepWords();
  document.addEventListener("htmx:afterSwap", (e) => keepWords(e.target));
}

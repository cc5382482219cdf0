// Form runtime entry, loaded on the fill page only: model (XML instance) + view (inputs, pages,
// repeats, language) + submitter (OpenRosa POST). Exposed as window.chumchon for later modules
// (drafts, outbox, XPath logic) and for tests.
import { Model } from "./model.js";
import { Submitter } from "./submit.js";
import { View } from "./view.js";

function templateXml() {
  const el = document.getElementById("instance-template");
  const text = el.textContent.trim();
  if (el.dataset.encoding !== "base64") return text;
  return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
}

function start() {
  const root = document.getElementById("fill");
  if (!root) return;
  try {
    const model = new Model(templateXml());
    const view = new View(root, model);
    view.init();
    const submitter = new Submitter(view);
    window.chumchon = { model, view, submitter };
    root.dataset.ready = "true";
  } catch (e) {
    console.error(e);
    root.querySelector(".fill-broken").hidden = false;
    root.dataset.ready = "error";
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

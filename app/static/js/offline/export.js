// Last resort: everything unsent of the signed-in user (outbox, needs attention, drafts, with their
// attachments) in one JSON file the officer can keep or send. Attachments are base64 in the file.
// Staff import it at /offline/import; the server files each record through receive_submission,
// idempotent by instanceID, so importing the same file twice stores nothing new.
//
// {"format": "chumchon-unsent", "format_version": 1, "exported_at": ISO, "origin": ...,
//  "user": {"id", "username"},
//  "items": [{"kind": "outbox" | "attention" | "draft", "instanceID", "formId", "version", "title",
//             "label", "created", "updated", "message_th", "message_en",
//             "xml": "<?xml ...", "attachments": [{"name", "type", "size", "base64"}]}]}
import { listDrafts } from "./drafts.js";
import { list } from "./outbox.js";
import { currentUser } from "./store.js";

export const FORMAT = "chumchon-unsent";

async function base64Of(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

async function item(kind, rec) {
  const attachments = [];
  for (const [name, blob] of Object.entries(rec.attachments || {})) {
    attachments.push({ name, type: blob.type || "application/octet-stream", size: blob.size, base64: await base64Of(blob) });
  }
  return {
    kind, instanceID: rec.instanceID, formId: rec.formId, version: rec.version, title: rec.title || "",
    label: rec.label || "", created: new Date(rec.created).toISOString(), updated: new Date(rec.updated).toISOString(),
    message_th: rec.message_th || "", message_en: rec.message_en || "", xml: rec.xml, attachments,
    // a draft's test record (app/forms/draft_fill.py): the server never imports it as a real one
    ...(rec.url || /\/draft\/[^/]+\/fill$/.test(rec.fillUrl || "") ? { test: true } : {}),
  };
}

/** The export as an object (also what the tests read). */
export async function buildExport() {
  const items = [];
  for (const rec of await list()) items.push(await item(rec.state === "attention" ? "attention" : "outbox", rec));
  for (const rec of await listDrafts()) items.push(await item("draft", rec));
  return {
    format: FORMAT, format_version: 1, exported_at: new Date().toISOString(), origin: location.origin,
    user: { id: currentUser(), username: document.body.dataset.username || "" }, items,
  };
}

/** Downloads the export file; returns the number of records in it. */
export async function downloadExport() {
  const data = await buildExport();
  const blob = new Blob([JSON.stringify(data)], { type: "application/json" });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `chumchon-unsent-${data.user.username || data.user.id}-${stamp}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  return data.items.length;
}

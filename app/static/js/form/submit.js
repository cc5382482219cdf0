// Submission: the required and constraint checks (logic.js), then an OpenRosa POST (multipart: xml_submission_file plus the
// attachments under their file names), then the "done" state or the server's message.
import { escapeHtml } from "../util.js";

const MSG = {
  sending: 'กำลังส่งข้อมูล… <span class="en">Sending…</span>',
  offline: 'ส่งไม่สำเร็จ: ไม่มีสัญญาณหรือเซิร์ฟเวอร์ไม่ตอบ คำตอบยังอยู่ในหน้านี้ กรุณาลองใหม่ <span class="en">Could not send: no connection or the server did not answer. The answers are still on this page; try again.</span>',
  conflict: 'รายการนี้ถูกส่งไปแล้วด้วยเนื้อหาต่างกัน ระบบเก็บไว้แยกให้ผู้ดูแลตรวจสอบ <span class="en">This record was already sent with different content; it was kept aside for review.</span>',
  failed: (status) => `เซิร์ฟเวอร์ไม่รับข้อมูล (${status}) <span class="en">The server did not accept the data (${status})</span>`,
  saved: 'บันทึกไว้ในเครื่องแล้ว จะส่งอัตโนมัติเมื่อมีสัญญาณ <span class="en">Saved on this device; it will be sent when there is signal.</span>',
  attention: 'เก็บไว้ในเครื่องที่ "ต้องแก้ไข" ไม่สูญหาย <span class="en">Kept on this device under "Needs attention"; nothing is lost.</span>',
  signin: 'บันทึกไว้ในเครื่องแล้ว กรุณาเข้าสู่ระบบใหม่เพื่อส่ง <span class="en">Saved on this device; sign in again to send it.</span>',
  sentLater: 'ส่งถึงเซิร์ฟเวอร์แล้วเมื่อกลับมามีสัญญาณ <span class="en">Sent: the server received it when the connection came back.</span>',
};


/** The attachments the instance still names {file name: Blob}. */
export function attachmentsOf(model) {
  return model.attachmentsInUse();
}

/** The FormData ODK Collect would send for this instance. */
export function buildSubmission(model, blank = null) {
  const data = new FormData();
  const xml = new Blob([model.serialize(blank)], { type: "text/xml" });
  data.append("xml_submission_file", xml, "xml_submission_file.xml");
  for (const [name, blob] of Object.entries(attachmentsOf(model))) data.append(name, blob, name);
  return data;
}

/** The <message> text of an OpenRosa response, if any. */
function openRosaMessage(text) {
  try {
    const doc = new DOMParser().parseFromString(text, "text/xml");
    return doc.getElementsByTagName("message")[0]?.textContent?.trim() || "";
  } catch {
    return "";
  }
}

export class Submitter {
  /** @param drafts the page's DraftKeeper (offline/drafts.js) or null */
  constructor(view, drafts = null) {
    this.view = view;
    this.drafts = drafts;
    this.url = view.root.dataset.submitUrl || "/submission";
    this.button = view.root.querySelector(".submit");
    this.button.addEventListener("click", () => this.submit());
  }

  async submit() {
    const { view } = this;
    const missing = view.checkRequired();
    if (missing.length) {
      view.checks.showBanner(missing); // names them, in the form's language and the app's (checks.js)
      view.reveal(missing[0]);
      return { ok: false, missing };
    }
    view.model.finalise(view.preloads);
    view.status(MSG.sending, "info");
    this.button.disabled = true;
    const offline = window.chumchon?.offline;
    if (offline?.available()) {
      try {
        return await this.viaOutbox(offline);
      } catch (e) {
        console.warn("outbox unavailable, sending directly", e); // e.g. storage full: try the network
        this.drafts?.resume();
      } finally {
        this.button.disabled = false;
      }
      this.button.disabled = true;
    }
    try {
      const response = await fetch(this.url, {
        method: "POST",
        body: buildSubmission(view.model, view.logic ? view.logic.blank : null),
        headers: {
          "X-OpenRosa-Version": "1.0",
          // CSRF token of the signed-in session (base.html <meta name="csrf-token">)
          "X-CSRFToken": document.querySelector('meta[name="csrf-token"]')?.content || "",
        },
        credentials: "same-origin",
      });
      const message = openRosaMessage(await response.text());
      if (response.status === 201 || response.status === 202 || response.ok) {
        this.done(message);
        return { ok: true, status: response.status };
      }
      const text = response.status === 409 ? MSG.conflict : MSG.failed(response.status);
      view.status(text + (message ? `<br>${escapeHtml(message)}` : ""), "error");
      return { ok: false, status: response.status };
    } catch (e) {
      console.warn(e);
      view.status(MSG.offline, "error");
      return { ok: false, status: 0 };
    } finally {
      this.button.disabled = false;
    }
  }

  /** Outbox first (offline/form.js): stored on the device, then sent now if the network allows. */
  async viaOutbox(offline) {
    const { view } = this;
    const xml = view.model.serialize(view.logic ? view.logic.blank : null);
    const res = await offline.submit({ view, xml, attachments: attachmentsOf(view.model), keeper: this.drafts });
    const message = [res.message_th, res.message_en].filter(Boolean).join(" / ");
    if (res.kind === "sent") {
      this.done(message);
      return { ok: true, status: res.status, kind: res.kind };
    }
    if (res.kind === "rejected") {
      const text = res.status === 409 ? MSG.conflict : MSG.failed(res.status);
      this.done(message, "attention", `${text}<br>${MSG.attention}`);
    } else {
      this.done("", "saved", res.kind === "auth" ? MSG.signin : MSG.saved);
      this.follow(offline);
    }
    return { ok: false, status: res.status || 0, kind: res.kind, queued: true };
  }

  /** A submission waiting in the outbox: the done card turns to "sent" by itself when the sync gets
   *  it through (and says so), or to "attention" when the server refuses it; no reload needed.
   *  `chumchon:accepted` on #fill tells the meeting screen to fetch the server's result. */
  follow(offline) {
    const root = this.view.root;
    const instanceID = this.view.model.instanceID;
    offline.watchSubmission?.(instanceID, {
      onSent: () => {
        root.dataset.accepted = "true"; // for a meeting screen loaded after this (form/index.js)
        this.done("", "sent", MSG.sentLater);
        root.dispatchEvent(new CustomEvent("chumchon:accepted", { detail: { instanceID } }));
      },
      onAttention: (rec) => {
        const message = [rec.message_th, rec.message_en].filter(Boolean).join(" / ");
        this.done(message, "attention", `${rec.status === 409 ? MSG.conflict : MSG.failed(rec.status)}<br>${MSG.attention}`);
      },
    });
  }

  /** The end state: "sent", "saved" (in the outbox) or "attention" (refused, kept on the device). */
  done(message, kind = "sent", html = "") {
    const root = this.view.root;
    this.view.status("");
    this.view.form.hidden = true;
    root.querySelector(".fill-pager").hidden = true;
    const done = root.querySelector(".done");
    done.querySelector(".done-id").textContent = this.view.model.instanceID;
    done.querySelector(".done-message").textContent = message;
    done.dataset.kind = kind;
    for (const el of done.querySelectorAll("[data-done]")) el.hidden = el.dataset.done !== kind;
    const note = done.querySelector(".done-note");
    if (note) {
      note.innerHTML = html;
      note.hidden = !html;
    }
    done.hidden = false;
    root.dataset.state = "done";
    window.scrollTo?.({ top: 0 });
  }
}

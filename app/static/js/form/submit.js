// Submission: the required and constraint checks (logic.js), then an OpenRosa POST (multipart: xml_submission_file plus the
// attachments under their file names), then the "done" state or the server's message.

const MSG = {
  missing: (n) => `ยังไม่ได้ตอบคำถามที่จำเป็น ${n} ข้อ <span class="en">${n} required question${n > 1 ? "s are" : " is"} not answered</span>`,
  broken: (n) => `มีคำตอบที่ไม่ผ่านเงื่อนไข ${n} ข้อ <span class="en">${n} answer${n > 1 ? "s are" : " is"} not allowed</span>`,
  sending: 'กำลังส่งข้อมูล… <span class="en">Sending…</span>',
  offline: 'ส่งไม่สำเร็จ: ไม่มีสัญญาณหรือเซิร์ฟเวอร์ไม่ตอบ คำตอบยังอยู่ในหน้านี้ กรุณาลองใหม่ <span class="en">Could not send: no connection or the server did not answer. The answers are still on this page; try again.</span>',
  conflict: 'รายการนี้ถูกส่งไปแล้วด้วยเนื้อหาต่างกัน ระบบเก็บไว้แยกให้ผู้ดูแลตรวจสอบ <span class="en">This record was already sent with different content; it was kept aside for review.</span>',
  failed: (status) => `เซิร์ฟเวอร์ไม่รับข้อมูล (${status}) <span class="en">The server did not accept the data (${status})</span>`,
};

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The FormData ODK Collect would send for this instance. */
export function buildSubmission(model, blank = null) {
  const data = new FormData();
  const xml = new Blob([model.serialize(blank)], { type: "text/xml" });
  data.append("xml_submission_file", xml, "xml_submission_file.xml");
  const wanted = new Set(Array.from(model.root.getElementsByTagName("*"), (e) => e.textContent));
  for (const [name, blob] of model.attachments) {
    if (wanted.has(name)) data.append(name, blob, name); // only files the instance still names
  }
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
  constructor(view) {
    this.view = view;
    this.url = view.root.dataset.submitUrl || "/submission";
    this.button = view.root.querySelector(".submit");
    this.button.addEventListener("click", () => this.submit());
  }

  async submit() {
    const { view } = this;
    const missing = view.checkRequired();
    if (missing.length) {
      const broken = missing.filter((q) => q.dataset.problem === "constraint").length;
      const required = missing.length - broken;
      view.status([required ? MSG.missing(required) : "", broken ? MSG.broken(broken) : ""].filter(Boolean).join("<br>"), "error");
      view.reveal(missing[0]);
      return { ok: false, missing };
    }
    view.model.finalise(view.preloads);
    view.status(MSG.sending, "info");
    this.button.disabled = true;
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

  done(message) {
    const root = this.view.root;
    this.view.status("");
    this.view.form.hidden = true;
    root.querySelector(".fill-pager").hidden = true;
    const done = root.querySelector(".done");
    done.querySelector(".done-id").textContent = this.view.model.instanceID;
    done.querySelector(".done-message").textContent = message;
    done.hidden = false;
    root.dataset.state = "done";
    window.scrollTo?.({ top: 0 });
  }
}

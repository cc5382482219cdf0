// Image: a photo from the camera (or gallery), shrunk on the device to at most 1600 px on its long
// side as JPEG (~0.8) so uploads stay small on village networks. The instance holds the file name;
// the Blob waits in model.attachments for the submission.

export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

const MESSAGES = {
  busy: 'กำลังย่อรูป… <span class="en">Preparing the photo…</span>',
  bad: 'เปิดรูปนี้ไม่ได้ ลองถ่ายใหม่หรือเลือกรูป JPEG/PNG <span class="en">This picture cannot be opened. Take it again or choose a JPEG/PNG.</span>',
};

/** The image scaled to fit MAX_SIDE (never enlarged), re-encoded as JPEG. */
export async function downscale(file, maxSide = MAX_SIDE, quality = QUALITY) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; // transparent PNG areas become white, not black, in JPEG
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  if (!blob) throw new Error("canvas could not encode the image");
  return blob;
}

export const image = {
  init(q, view) {
    const file = q.querySelector(".img-file");
    const status = (html) => (q.querySelector(".img-status").innerHTML = html || "");
    file.addEventListener("change", async () => {
      const picked = file.files && file.files[0];
      if (!picked) return;
      status(MESSAGES.busy);
      try {
        const blob = await downscale(picked);
        const name = `${q.dataset.name}-${Date.now()}.jpg`;
        view.model.attachments.delete(view.model.get(q._node));
        view.model.attachments.set(name, blob);
        view.setValue(q, name);
        status("");
        image.show(q, name, view);
      } catch (e) {
        console.warn(e);
        status(MESSAGES.bad);
      } finally {
        file.value = ""; // picking the same file again still fires "change"
      }
    });
    q.querySelector(".img-clear").addEventListener("click", () => {
      view.model.attachments.delete(view.model.get(q._node));
      view.setValue(q, "");
      image.show(q, "", view);
    });
    q._view = view;
  },

  show(q, value, view = q._view) {
    const preview = q.querySelector(".img-preview");
    const thumb = q.querySelector(".img-thumb");
    if (thumb.src) URL.revokeObjectURL(thumb.src);
    thumb.removeAttribute("src");
    const blob = value && view ? view.model.attachments.get(value) : null;
    if (blob) thumb.src = URL.createObjectURL(blob);
    q.querySelector(".img-name").textContent = value || "";
    preview.hidden = !value;
    q.querySelector(".img-clear").hidden = !value;
  },
};

// Sign-out page (form[data-signout]): warn before unsent offline data is deleted.
// The offline code registers `window.chumchon.unsentCount = async () => number` (drafts + outbox in
// IndexedDB). Until it exists the count is 0. Before the POST, this user's drafts and outbox are
// deleted from the device (window.chumchon.forgetCurrentUser) — only theirs: on a shared tablet
// another officer's unsent work must survive, so the server's Clear-Site-Data clears the HTTP cache only.

async function unsentCount() {
  const counter = window.chumchon?.unsentCount;
  if (typeof counter !== "function") return 0;
  try {
    return Number(await counter()) || 0;
  } catch (e) {
    console.warn("unsentCount failed", e);
    return 0;
  }
}

export function initSignout(root = document) {
  const form = root.querySelector("form[data-signout]");
  if (!form) return;
  const warning = form.querySelector("[data-unsent-warning]");
  const confirm = form.querySelector("[data-unsent-confirm]");
  const show = (n) => {
    for (const el of form.querySelectorAll("[data-unsent-count]")) el.textContent = String(n);
    warning.hidden = n === 0;
    confirm.required = n > 0;
  };
  unsentCount().then(show);
  form.addEventListener("submit", async (event) => {
    if (form.dataset.checked === "1") return;
    event.preventDefault();
    const n = await unsentCount();
    show(n);
    if (n > 0 && !confirm.checked) {
      warning.scrollIntoView?.({ block: "center" });
      return;
    }
    form.dataset.checked = "1";
    try {
      await window.chumchon?.forgetCurrentUser?.();
    } catch (e) {
      console.warn("could not delete this user's offline data", e);
    }
    HTMLFormElement.prototype.submit.call(form); // no second submit event; validation already done
  });
}

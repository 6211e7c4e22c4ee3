/* A shared tablet keeps nobody's children. On every page:
 * - signed out (the sign-in page, or any page after the session expired): forget the
 *   offline registers (they hold safety notes), drafts and who was signed in. Queued
 *   marks stay sealed under their owner (never shown; only their owner can send them);
 * - Sign out: when marks are still waiting on this device, ask first — send them now,
 *   or discard them — then forget everything of this person and sign out. The server
 *   also answers the sign-out with Clear-Site-Data. See docs/architecture.md. */
(function () {
  "use strict";
  const Q = self.HarmoniaOffline;
  const user = document.body.dataset.user || "";

  async function forgetRosters() {
    try {
      Object.keys(localStorage).filter((k) => k.startsWith("harmonia.register."))
        .forEach((k) => localStorage.removeItem(k));
    } catch (e) { /* storage unavailable */ }
    if (window.caches) {
      const keys = await caches.keys();
      await Promise.all(keys.filter((k) => k.startsWith(Q.CACHE_PREFIX)).map((k) => caches.delete(k)));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ forget: true });
    }
    await Q.clearMeta();
  }

  if (!Q) return;
  if (!user) {
    forgetRosters().catch(() => {}).finally(() => { document.body.dataset.forgotten = "true"; });
    return;
  }

  const form = document.querySelector("form[data-signout]");
  const dialog = document.querySelector("[data-signout-dialog]");
  if (!form || !dialog) return;
  const csrf = (form.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  const count = dialog.querySelector("[data-signout-count]");
  let confirmed = false;

  async function unsent() {
    const items = await Q.items(null);
    return items.reduce((n, i) => n + i.marks.length, 0);
  }
  async function leave() {
    await Q.removeUser(user);
    await forgetRosters();
    confirmed = true;
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }
  async function ask() {
    const n = await unsent();
    if (!n) return leave();
    count.textContent = count.dataset.template.replace("%(count)s", n);
    if (!dialog.open) dialog.showModal();
    return null;
  }

  form.addEventListener("submit", (event) => {
    if (confirmed) return;
    event.preventDefault();
    ask().catch(() => leave());
  });
  dialog.querySelector("[data-signout-send]").addEventListener("click", async () => {
    count.textContent = count.dataset.sending;
    await Q.send({ user, csrf, force: true }).catch(() => {});
    const left = (await Q.items(user)).reduce((n, i) => n + i.marks.length, 0);
    if (!left && !(await unsent())) return leave();
    count.textContent = count.dataset.still.replace("%(count)s", await unsent());
    return null;
  });
  dialog.querySelector("[data-signout-discard]").addEventListener("click", async () => {
    const everyone = await Q.items(null);
    await Promise.all(everyone.map((i) => Q.remove(i.key)));
    dialog.close();
    leave();
  });
  dialog.querySelector("[data-signout-cancel]").addEventListener("click", () => dialog.close());
})();

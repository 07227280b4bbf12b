// Signing out always signs out, and never throws away another user's work, nor the user's
// own unsent work without a second, explicit choice.
//
// Online: what waits is sent first; the user's stored pages leave the device; what could
// not be sent (a conflict, a refused photo) stays, locked, unless the user chooses to delete
// it. Offline: the sign-out cannot reach the server (a service worker cannot remove the
// session cookie), so the device locks the user's work at once and keeps a pending sign-out,
// which the first request after the connection returns completes before anything else
// (page.js, worker.js). Their waiting work stays, encrypted, and is sent after they sign in
// again; their stored pages stay too, so they can unlock and go on offline with the password.
import { KEYS } from "../kv.js";
import { plural } from "../format.js";

export function guardSignOut(ctx) {
  const form = document.querySelector("form.account");
  const dialog = document.getElementById("sign-out-dialog");
  if (!form || !dialog || !ctx.outbox) return;
  const texts = dialog.dataset;
  let confirmed = false;

  async function finish(offline) {
    if (offline) {
      await ctx.kv.set(KEYS.signOut, { uid: ctx.outbox.uid, token: ctx.csrf(), at: Date.now() });
      await ctx.lock();
      location.assign("/");
      return;
    }
    if (ctx.pages) await ctx.pages.dropAll();
    await ctx.lock();
    confirmed = true;
    HTMLFormElement.prototype.submit.call(form);
  }

  function ask(count, offline) {
    const text = dialog.querySelector(".sign-out-text");
    if (offline) text.textContent = count ? plural(count, texts.offlineOne, texts.offline) : texts.offlineNothing;
    else text.textContent = plural(count, texts.leftOne, texts.left);
    const remove = dialog.querySelector(".sign-out-delete");
    remove.hidden = !count;
    dialog.querySelector("button[value=delete]").textContent = plural(count, texts.deleteOne, texts.deleteMany);
    dialog.showModal();
    return new Promise((resolve) => {
      const choose = (event) => {
        const button = event.target.closest("button[value]");
        if (!button) return;
        if (button.value === "delete" && !window.confirm(plural(count, texts.confirmOne, texts.confirm))) return;
        dialog.removeEventListener("click", choose);
        dialog.close();
        resolve(button.value);
      };
      dialog.addEventListener("click", choose);
      dialog.addEventListener("cancel", () => { dialog.removeEventListener("click", choose); resolve("cancel"); }, { once: true });
    });
  }

  form.addEventListener("submit", async (event) => {
    if (confirmed) return;
    event.preventDefault();
    if (!ctx.offline()) await ctx.flush({ everything: true, quiet: true }); // this page signs out next: no reload under it
    const offline = ctx.offline() || !(await ctx.reachable());
    const count = (await ctx.outbox.summary()).count;
    if (!offline && !count) { await finish(false); return; }
    const choice = await ask(count, offline);
    if (choice === "cancel") return;
    if (choice === "delete") await ctx.outbox.wipe();
    await finish(offline);
  });
}

// The sign-in page: how many items wait on this device (of whichever user: they are sent
// once the person who made them signs in), and, as the form is sent, the password turned
// into the key that unlocks that person's work on this device offline later (unlock.js).
import { plural } from "../format.js";
import { rememberPassword, waitingByOwner } from "../unlock.js";
import { report } from "../report.js";

export async function loginPage(ctx, form) {
  const note = document.getElementById("device-waiting");
  if (note) {
    const counts = await waitingByOwner(ctx.kv);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    note.textContent = total ? plural(total, note.dataset.one, note.dataset.many) : "";
    note.hidden = !total;
  }
  let ready = false;
  form.addEventListener("submit", async (event) => {
    if (ready) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await rememberPassword(ctx.env, form.elements.namedItem("email").value, form.elements.namedItem("password").value);
    } catch (error) {
      report("the password could not be turned into this device's key; offline unlocking waits for the next sign-in", error);
    }
    ready = true;
    if (button) button.disabled = false;
    HTMLFormElement.prototype.submit.call(form);
  });
}

// The review: submitting needs the server, which computes the scores. Everything of this
// visitor that waits is sent first (answers typed without Save included); offline, or with
// items still waiting, the page says so next to the button and keeps the visit ready.
import { plural } from "../format.js";

export function reviewPage(ctx) {
  const boxes = Array.from(document.querySelectorAll("form.submit-box[data-visit]"));
  if (!boxes.length || !ctx.outbox) return;
  const visit = boxes[0].dataset.visit;
  const texts = boxes[0].dataset;

  const waitingHere = async () => (await ctx.outbox.summary(visit)).count;

  function note(text) {
    boxes.forEach((box) => {
      const p = box.querySelector(".offline-note");
      p.textContent = text;
      p.hidden = !text;
    });
  }

  async function explain() {
    const n = await waitingHere();
    const waiting = n ? plural(n, texts.waitingOne, texts.waiting) : "";
    note(ctx.offline() ? texts.offline + (waiting ? " " + waiting : "") : waiting);
    return n;
  }

  boxes.forEach((box) => {
    let sure = false;
    box.addEventListener("submit", async (event) => {
      if (sure) return;
      event.preventDefault();
      if (ctx.offline()) { await explain(); return; }
      await ctx.flush({ everything: true, quiet: true }); // this page submits next: no reload under it
      if (await waitingHere()) { await explain(); return; }
      sure = true;
      const input = box.querySelector("input[name=csrf_token]");
      if (input) input.value = ctx.csrf();
      HTMLFormElement.prototype.submit.call(box);
    });
  });
  ctx.onChange(explain);
  window.addEventListener("online", explain);
  window.addEventListener("offline", explain);
  return explain();
}

// The visit page: take a draft visit offline (every page it needs, stored on this device for
// this user), store it again (only what changed moves), or remove it; a submitted visit's
// pages leave the device.
import { clock, fill } from "../format.js";
import { report } from "../report.js";

export async function offlinePanel(ctx) {
  const submitted = document.querySelector("[data-submitted-visit]");
  if (submitted && ctx.pages) await ctx.pages.dropVisit(submitted.dataset.submittedVisit);
  const panel = document.getElementById("offline-panel");
  if (!panel || !ctx.pages || !ctx.hasWorker) return;
  const visit = panel.dataset.visit;
  const state = panel.querySelector(".offline-state");
  const take = panel.querySelector(".take-offline");
  const drop = panel.querySelector(".drop-offline");
  panel.hidden = false;

  async function show() {
    const entry = (await ctx.pages.index()).visits[visit];
    if (entry) {
      state.textContent = fill(panel.dataset.ready, { time: clock(entry.at, ctx.lang), n: entry.urls.length });
      take.textContent = panel.dataset.again;
      drop.hidden = false;
    } else {
      state.textContent = panel.dataset.notYet;
      drop.hidden = true;
    }
  }

  take.addEventListener("click", async () => {
    take.disabled = true;
    state.textContent = panel.dataset.working;
    try {
      await ctx.workerReady();
      await ctx.pages.takeOffline(panel.dataset.listUrl, (done, total) => {
        state.textContent = fill(panel.dataset.progress, { done, total });
      });
      await show();
    } catch (error) {
      report("the visit could not be taken offline", error);
      state.textContent = panel.dataset.failed;
    }
    take.disabled = false;
  });
  drop.addEventListener("click", async () => {
    await ctx.pages.dropVisit(visit);
    await show();
  });
  await show();
}

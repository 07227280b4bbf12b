// The app shell: what a phone opens offline at any address the device has no page for (the
// start page, a bookmark, the home-screen icon). It lists the visits the unlocked user took
// offline, with how much is answered and how much waits, and opens them; when nobody is
// unlocked it says how much work waits here and lets its owner unlock it with their
// password. It names nobody: another user sees counts, never whose or what.
import { fill, plural } from "../format.js";
import { progress } from "../state.js";
import { unlockWithPassword, waitingByOwner } from "../unlock.js";
import { KEYS, PREFIX, entriesUnder } from "../kv.js";

export async function shellPage(ctx) {
  const main = document.getElementById("shell");
  if (!main) return;
  const t = main.dataset;
  const list = document.getElementById("shell-visits");
  const status = document.getElementById("shell-status");
  const unlockForm = document.getElementById("shell-unlock");
  const others = document.getElementById("shell-others");
  const signOut = document.getElementById("shell-sign-out");

  signOut.hidden = !(await ctx.kv.get(KEYS.signOut));

  if (ctx.session) {
    // This address may be a stored page that the service worker could not open before the
    // key came back (it forgets it when the browser stops it): ask once more.
    const here = location.href.split("#")[0];
    const index = await ctx.pages.index();
    const stored = Object.values(index.visits).some((v) => v.urls.includes(here) || v.files.includes(here));
    const tried = sessionStorage.getItem("checklist:shell-retry") === here;
    if (stored && !tried) {
      sessionStorage.setItem("checklist:shell-retry", here);
      await ctx.workerHasKey();
      location.reload();
      return;
    }
    sessionStorage.removeItem("checklist:shell-retry");
    await listVisits(ctx, index, list, t);
    const count = Object.keys(index.visits).length;
    status.textContent = count ? fill(t.visits, { n: count }) : t.noVisits;
    unlockForm.hidden = true;
  } else {
    const counts = await waitingByOwner(ctx.kv);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const vaults = await entriesUnder(ctx.kv, PREFIX + "vault:");
    status.textContent = vaults.length ? t.locked : t.nothing;
    others.hidden = !total;
    others.textContent = total ? plural(total, t.waitingOne, t.waiting) : "";
    unlockForm.hidden = !vaults.length;
  }

  unlockForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = unlockForm.querySelector(".error");
    const button = unlockForm.querySelector("button[type=submit]");
    button.disabled = true;
    const session = await unlockWithPassword(ctx.env, unlockForm.elements.namedItem("email").value, unlockForm.elements.namedItem("password").value, ctx.unlockMinutes);
    button.disabled = false;
    if (!session) {
      error.hidden = false;
      error.textContent = t.wrong;
      unlockForm.elements.namedItem("password").focus();
      return;
    }
    await ctx.giveWorker(session);
    location.reload();
  });
}

async function listVisits(ctx, index, list, t) {
  list.textContent = "";
  const entries = Object.entries(index.visits).sort((a, b) => String(b[1].date).localeCompare(String(a[1].date)));
  for (const [visit, entry] of entries) {
    const records = (await ctx.outbox.list(visit)).map((e) => e.record);
    const p = entry.state ? progress(entry.state, records) : null;
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = entry.urls[0];
    link.textContent = (entry.location || "") + " · " + (entry.date || "");
    link.setAttribute("dir", "auto");
    li.appendChild(link);
    if (p) {
      const facts = document.createElement("p");
      facts.className = "hint";
      facts.textContent = fill(t.answered, { done: p.answered, total: p.applicable }) + " · " +
        (p.waitingTotal ? plural(p.waitingTotal, t.itemOne, t.items) : t.noneWaiting);
      li.appendChild(facts);
      const next = p.domains.find((d) => d.id === p.continueDomain);
      if (next) {
        const go = document.createElement("a");
        go.className = "button small";
        go.href = next.url;
        go.textContent = t.continue + ": " + next.title;
        li.appendChild(go);
      }
    }
    list.appendChild(li);
  }
}

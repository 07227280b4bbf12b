// Every `.sync-line` (next to the buttons) says: online or offline, how many answers,
// statements and photos wait on this device, when a save last reached the server, what
// needs the visitor's attention, and, when the session ended with items waiting, that a
// sign-in sends them (with the link).
import { clock, fill } from "../format.js";

export function syncLines(ctx) {
  const lines = Array.from(document.querySelectorAll(".sync-line"));

  async function render() {
    if (!lines.length || !ctx.outbox) return;
    const [summary, meta] = await Promise.all([ctx.outbox.summary(), ctx.outbox.meta()]);
    const offline = ctx.offline();
    for (const el of lines) {
      const d = el.dataset;
      const parts = [offline ? d.offline : d.online];
      parts.push(summary.count ? fill(d.waiting, { n: summary.count }) : d.none);
      if (meta.lastSaved) parts.push(fill(d.last, { time: clock(meta.lastSaved, ctx.lang) }));
      el.textContent = parts.join(" · ");
      el.className = "sync-line" + (offline ? " is-offline" : "") + (summary.count ? " is-waiting" : "");
      if (ctx.sessionHasEnded() && summary.count) {
        el.classList.add("is-signed-out");
        el.appendChild(document.createTextNode(" · " + d.signedOut + " "));
        const a = document.createElement("a");
        a.href = ctx.urls.login + "?next=" + encodeURIComponent(location.pathname);
        a.textContent = d.signIn;
        el.appendChild(a);
      }
      for (const c of summary.attention) {
        if (c.url === location.origin + location.pathname) continue;
        const a = document.createElement("a");
        a.href = c.url;
        a.textContent = c.kind === "photo" ? d.photoRefused : c.kind === "voice" ? d.voiceRefused : d.conflict;
        el.append(document.createTextNode(" · "), a);
      }
    }
  }

  ctx.onChange(render);
  window.addEventListener("online", render);
  window.addEventListener("offline", render);
  return render;
}

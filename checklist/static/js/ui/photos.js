// Photos on a checklist page (form[data-photo-criterion]): taken offline, they wait on the
// device (the bytes encrypted apart from the record) with a random key and are sent once.
// A waiting photo is shown from the device (a blob: URL, allowed by the CSP's img-src).
import { addItem, dropItem, photosId, PHOTOS } from "../records.js";
import { newKey } from "../format.js";

export function photoForms(ctx, visit) {
  const forms = Array.from(document.querySelectorAll("form[data-photo-criterion]"));
  if (!forms.length) return Promise.resolve();
  const id = photosId(visit);
  const pageUrl = location.origin + location.pathname;
  const outbox = ctx.outbox;
  const shown = [];

  function say(form, text) {
    const box = document.getElementById("photos-" + form.dataset.photoKey);
    let p = box && box.querySelector(".photo-offline-status");
    if (!p) {
      p = document.createElement("p");
      p.className = "photo-offline-status flash";
      p.setAttribute("role", "status");
      if (box) box.appendChild(p);
    }
    p.textContent = text;
  }

  // The photos of this page that wait on the device, under their criterion.
  async function showWaiting() {
    const record = outbox ? await outbox.get(id) : null;
    shown.splice(0).forEach((url) => URL.revokeObjectURL(url));
    document.querySelectorAll(".photo-list.waiting").forEach((ul) => ul.remove());
    for (const item of record ? record.items : []) {
      const box = document.getElementById("photos-" + item.ckey);
      const form = document.querySelector("form[data-photo-key='" + item.ckey + "']");
      if (!box || !form) continue;
      let ul = box.querySelector(".photo-list.waiting");
      if (!ul) {
        ul = document.createElement("ul");
        ul.className = "photo-list waiting";
        box.insertBefore(ul, box.querySelector(".photo-add"));
      }
      const li = document.createElement("li");
      const img = document.createElement("img");
      const blob = await outbox.getBlob(item.key);
      if (blob) {
        img.src = URL.createObjectURL(blob);
        shown.push(img.src);
      }
      img.alt = form.dataset.waitingAlt;
      img.width = 160;
      const caption = document.createElement("p");
      caption.className = item.error ? "error" : "hint";
      caption.textContent = item.error ? item.error : form.dataset.waiting;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button small";
      remove.textContent = form.dataset.remove;
      remove.addEventListener("click", async () => {
        await outbox.update(id, (stored) => dropItem(stored, item.key));
        await outbox.dropBlob(item.key);
        await showWaiting();
        ctx.changed();
      });
      li.append(img, caption, remove);
      ul.appendChild(li);
    }
  }

  async function keep(form, file) {
    const item = {
      key: newKey(), criterion: form.dataset.photoCriterion, ckey: form.dataset.photoKey,
      url: pageUrl, postUrl: form.action, name: file.name || "photo.jpg", at: Date.now(),
    };
    await outbox.putBlob(item.key, file);
    await outbox.update(id, (record) => addItem(record, { kind: PHOTOS, visit, url: pageUrl }, item));
    form.elements.namedItem("photo").value = "";
    form.elements.namedItem("no_person").checked = false;
    say(form, form.dataset.kept);
    ctx.askForSync();
    await showWaiting();
    ctx.changed();
  }

  forms.forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!outbox) return;
      event.preventDefault();
      const input = form.elements.namedItem("photo");
      const file = input && input.files && input.files[0];
      const ticked = form.elements.namedItem("no_person").checked;
      if (ctx.offline()) {
        if (!ticked) { say(form, form.dataset.needTick); return; }
        if (!file) { say(form, form.dataset.needFile); return; }
        keep(form, file);
        return;
      }
      if (!ticked || !file) { HTMLFormElement.prototype.submit.call(form); return; } // the server says what is missing
      const send = async (attempt) => {
        const data = new FormData(form);
        data.append("client_key", newKey());
        const result = await ctx.sender.post(form.action, data);
        if (!result) return keep(form, file); // the server was not reached: the photo waits on the device
        const body = result.body || {};
        if (body.csrf_token) ctx.setCsrf(body.csrf_token);
        if (body.outcome === "expired" && !attempt) return send(1);
        if (body.next) { // back at this criterion, with the server's notice
          await ctx.markSaved();
          const next = new URL(body.next, location.href);
          if (next.pathname === location.pathname) { location.hash = next.hash; location.reload(); } else location.assign(next.href);
          return null;
        }
        HTMLFormElement.prototype.submit.call(form);
        return null;
      };
      send(0);
    });
  });
  ctx.onChange(showWaiting);
  return showWaiting();
}

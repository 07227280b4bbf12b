// What children said, written offline and sent later (#voice-form on the children's page).
// Each statement waits with a random key, so one sent twice is stored once.
import { addItem, dropItem, voicesId, VOICES } from "../records.js";
import { newKey } from "../format.js";

export function statementsPage(ctx, form) {
  const visit = form.dataset.visit;
  const id = voicesId(visit);
  const list = document.getElementById("voices-waiting");
  const status = document.getElementById("voice-status");
  const outbox = ctx.outbox;

  async function showWaiting() {
    const record = outbox ? await outbox.get(id) : null;
    const items = record ? record.items : [];
    list.textContent = "";
    items.forEach((item) => {
      const li = document.createElement("li");
      const text = document.createElement("span");
      text.setAttribute("dir", "auto");
      text.textContent = item.fields.age_band + (item.fields.domain_label ? " · " + item.fields.domain_label : "") + ": " + item.fields.text;
      li.appendChild(text);
      if (item.error) { // the server refused it: why, and the way to let it go
        const why = document.createElement("p");
        why.className = "error";
        why.textContent = item.error;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button small";
        remove.textContent = list.dataset.remove;
        remove.addEventListener("click", async () => {
          await outbox.update(id, (stored) => dropItem(stored, item.key));
          await showWaiting();
          ctx.changed();
        });
        li.append(why, remove);
      }
      list.appendChild(li);
    });
    list.parentNode.hidden = !items.length;
  }

  async function keep() {
    const fields = {};
    ["age_band", "domain_id", "text"].forEach((name) => {
      const el = form.elements.namedItem(name);
      fields[name] = el ? el.value : "";
    });
    const select = form.elements.namedItem("domain_id");
    fields.domain_label = select && select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
    const base = { kind: VOICES, visit, url: location.origin + location.pathname, postUrl: form.action || location.href, reviewUrl: new URL(form.dataset.reviewUrl, location.href).href };
    await outbox.update(id, (record) => addItem(record, base, { key: newKey(), fields, at: Date.now() }));
    form.elements.namedItem("text").value = "";
    status.textContent = status.dataset.kept;
    ctx.askForSync();
    await showWaiting();
    ctx.changed();
  }

  form.addEventListener("submit", (event) => {
    if (!outbox) return;
    event.preventDefault();
    const text = form.elements.namedItem("text");
    if (!text.value.trim()) { HTMLFormElement.prototype.submit.call(form); return; } // the server says what is missing
    if (ctx.offline()) { keep(); return; }
    const data = new FormData(form);
    data.append("client_key", newKey());
    ctx.sender.post(form.action || location.href, data).then(async (result) => {
      if (!result) { await keep(); return; }
      if (result.body && result.body.outcome === "saved") {
        await ctx.markSaved();
        location.assign(location.pathname);
        return;
      }
      if (result.body) ctx.setCsrf(result.body.csrf_token);
      HTMLFormElement.prototype.submit.call(form); // the server's page says what is wrong, with the text kept
    });
  });
  ctx.onChange(showWaiting);
  return showWaiting();
}

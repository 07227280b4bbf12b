// One checklist page (#checklist-form, one domain): every change is kept on the device at
// once, saves go through the JSON endpoint, and nothing typed is lost offline.
//
// * Every criterion the visitor changes is written to the outbox (and the journal) with all
//   of its fields and the version of the stored answer the page started from; the server's
//   save protocol then tells this device's change from someone else's (save_protocol.py).
// * Save answers per criterion: saved, unchanged, conflict or error. A criterion leaves the
//   outbox only when the server saved it as it was sent. When a save does not go through
//   (a conflict, a bad value, a submitted visit, a signed-out session), the form is sent as
//   without JavaScript, so the server shows its page for it.
// * On load, criteria in the outbox that differ from the page are put back.
// * Offline, a save is held back: the record is queued and sent when the connection is
//   back; in a visit taken offline, the buttons still go to the page they name (the
//   service worker serves it from the device).
import * as journal from "../journal.js";
import { answersId, putAnswer, sameFields, settleAnswers, resultsByKey } from "../records.js";
import { report } from "../report.js";

const RETRY_MS = 15000;
const FOCUS_KEY = "checklist:focus"; // the field a visitor was in when they pressed Save

function controls(form, name) {
  return Array.prototype.filter.call(form.elements, (el) => el.name === name);
}

// The field's value as it would be sent; null when the page has no such field. Checkboxes
// sharing a name (the evidence chips) give their ticked values joined by commas.
export function getValue(form, name) {
  let value = null;
  controls(form, name).forEach((el) => {
    if (el.type === "checkbox") {
      if (value === null) value = "";
      if (el.checked) value = value ? value + "," + el.value : el.value;
    } else if (el.type === "radio") {
      if (el.checked) value = el.value;
      else if (value === null) value = "";
    } else {
      value = el.value;
    }
  });
  return value;
}

function setValue(form, name, value) {
  const els = controls(form, name);
  const boxes = els.filter((el) => el.type === "checkbox");
  if (boxes.length) {
    const ticked = String(value || "").split(",");
    boxes.forEach((el) => { el.checked = ticked.includes(el.value); });
    return true;
  }
  const radios = els.filter((el) => el.type === "radio");
  if (radios.length) {
    if (!radios.some((el) => el.value === value)) return false; // never uncheck all for a choice no longer offered
    radios.forEach((el) => { el.checked = el.value === value; });
    return true;
  }
  els.forEach((el) => { el.value = value; });
  return els.length > 0;
}

export function checklistPage(ctx, form) {
  const wire = JSON.parse(form.dataset.wire);
  const fieldPattern = new RegExp("^(" + wire.parts.join("|") + ")_(.+)$");
  const visit = form.dataset.visit;
  const domain = form.dataset.domain;
  const id = answersId(visit, domain);
  const pageUrl = location.origin + location.pathname;
  const page = { visit, domain, url: pageUrl, saveUrl: new URL(form.dataset.saveUrl, location.href).href, title: (document.querySelector("h1") || {}).textContent || domain };
  const statusEl = document.getElementById("autosave-status");
  const conflictButton = document.getElementById("show-conflict");
  const outbox = ctx.outbox;
  let unstored = false; // a change the browser refused to keep: warn before leaving
  let sending = false;
  let retryTimer = null;

  const criterionOf = (name) => {
    const m = fieldPattern.exec(name || "");
    return m ? m[2] : null;
  };
  const revField = (ckey) => wire.version + "_" + ckey;
  const revInput = (ckey) => controls(form, revField(ckey))[0] || null;

  function criterionFields(ckey) {
    const fields = {};
    wire.parts.forEach((part) => {
      const value = getValue(form, part + "_" + ckey);
      if (value !== null) fields[part + "_" + ckey] = value;
    });
    return fields;
  }

  function say(kind) {
    if (!statusEl) return;
    statusEl.textContent = kind ? statusEl.dataset[kind] || "" : "";
    statusEl.className = "autosave-status" + (kind ? " autosave-" + kind : "");
    if (conflictButton) conflictButton.hidden = kind !== "conflict";
  }



  function entryFor(ckey) {
    const rev = revInput(ckey);
    return { fields: criterionFields(ckey), rev: rev ? rev.value : "", revField: revField(ckey), at: Date.now() + Math.random() };
  }

  function remember(name) {
    const ckey = criterionOf(name);
    if (!ckey || !outbox) return;
    const entry = entryFor(ckey);
    const queue = ctx.offline(); // typed without a connection: sent as soon as it is back
    const journalled = journal.write(outbox.uid, id, page, ckey, entry);
    outbox.update(id, (record) => putAnswer(record, page, ckey, entry, queue, Date.now())).then(
      () => {
        journal.forget(outbox.uid, id, ckey, entry);
        if (queue) ctx.askForSync();
        ctx.changed();
      },
      (error) => {
        if (!journalled) unstored = true;
        report("a change could not be kept in the outbox", error);
      },
    );
  }

  const onEdit = (event) => remember(event.target && event.target.name);
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  // Resolves to true when there was a record to mark.
  async function setQueued(queued) {
    if (!outbox) return false;
    let found = false;
    await outbox.update(id, (record) => {
      if (!record) return null;
      found = true;
      return { ...record, queued };
    });
    if (queued && found) ctx.askForSync();
    ctx.changed();
    return found;
  }

  // After a save: the page's versions follow what the server stored.
  function adopt(results) {
    Object.keys(results).forEach((ckey) => {
      const input = revInput(ckey);
      if (input && results[ckey].status === "saved") input.value = results[ckey].version;
    });
  }

  function wholeForm() {
    const criteria = {};
    Array.prototype.forEach.call(form.elements, (el) => {
      const ckey = criterionOf(el.name);
      if (ckey && !criteria[ckey]) criteria[ckey] = entryFor(ckey);
    });
    return criteria;
  }

  function submitNatively(go) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "go";
    input.value = go;
    form.appendChild(input);
    HTMLFormElement.prototype.submit.call(form);
  }

  // Where a button leads, for a visit taken offline (the same rule as the server's).
  function target(go) {
    if (go === "review") return form.dataset.reviewUrl;
    if (go === "children") return form.dataset.childrenUrl;
    if (go.startsWith("domain:")) return form.dataset.domainUrl.replace(/__domain__$/, encodeURIComponent(go.slice(7)));
    return location.pathname;
  }

  async function holdBack(go) {
    const kept = await setQueued(true);
    say(kept ? "offline" : "offlineNothing");
    const stored = ctx.pages ? (await ctx.pages.index()).visits[visit] : null;
    if (stored && go !== "save") location.assign(target(go));
    else retryLater();
  }

  form.addEventListener("submit", (event) => {
    if (!outbox) return; // no device storage: the form goes as without JavaScript
    event.preventDefault();
    let go = event.submitter && event.submitter.name === "go" ? event.submitter.value : "save";
    if (go === "save" && form.dataset.lastField) {
      try {
        sessionStorage.setItem(FOCUS_KEY, pageUrl + "|" + form.dataset.lastField);
      } catch (error) {
        report("the focus after Save could not be kept (storage refused)", error);
      }
    }
    if (go === "jump") { // the phone's domain control: the chosen domain, as its own button says
      const jump = form.elements.namedItem("jump");
      go = "domain:" + (jump ? jump.value : "");
    }
    if (ctx.offline()) { holdBack(go); return; }
    if (sending) return;
    sending = true;
    unstored = false;
    const sent = wholeForm();
    ctx.sender.post(page.saveUrl, ctx.sender.answersBody(sent, ctx.csrf(), go)).then(async (result) => {
      sending = false;
      if (!result) { await holdBack(go); return; } // the server was not reached: what was typed waits here
      const body = result.body || {};
      if (body.outcome === "saved") {
        const results = resultsByKey(body);
        await outbox.update(id, (record) => settleAnswers(record, sent, results));
        adopt(results);
        await ctx.markSaved();
        await ctx.refreshStored([pageUrl]);
        location.assign(body.next);
        return;
      }
      if (body.csrf_token) ctx.setCsrf(body.csrf_token);
      if (result.status === 401) { // signed out: the login page, and after it the next page sends this
        await setQueued(true);
        submitNatively(go);
        return;
      }
      submitNatively(go); // the page for a conflict, a bad value or a submitted visit
    });
  });

  if (conflictButton) conflictButton.addEventListener("click", () => submitNatively("save"));

  function retryLater() {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; sendQueued(); }, RETRY_MS);
  }

  // This page's queued record, in the background (after being offline).
  async function sendQueued() {
    if (sending || !outbox) return;
    const record = await outbox.get(id);
    if (sending || !record || !record.queued) return;
    if (ctx.offline()) { say("offline"); return; }
    sending = true;
    say("sending");
    const r = await ctx.sender.sendAnswers(id, "");
    sending = false;
    if (!r.reached || r.signedOut || r.notOwner) {
      if (r.signedOut) ctx.sessionEnded();
      say("offline");
      retryLater();
      return;
    }
    adopt(r.results);
    const outcome = r.body.outcome;
    say(outcome === "saved" ? "saved" : outcome === "conflict" ? "conflict" : outcome === "locked" ? "locked" : "failed");
    ctx.changed();
  }

  // On load: put back what this device has and the server does not.
  async function restore() {
    if (!outbox) return;
    let changed = 0;
    let conflict = false;
    await outbox.update(id, (record) => {
      if (!record) return null;
      const next = { ...record, criteria: { ...record.criteria } };
      Object.keys(next.criteria).forEach((ckey) => {
        const c = next.criteria[ckey];
        const fieldset = document.getElementById("c-" + ckey);
        if (sameFields(criterionFields(ckey), c.fields)) {
          // The page shows the same: stored, or typed and kept by the server's page.
          if (fieldset && fieldset.dataset.stored === "1") delete next.criteria[ckey];
          return;
        }
        const put = Object.keys(c.fields).filter((name) => setValue(form, name, c.fields[name]));
        if (!put.length) return;
        const rev = revInput(ckey);
        if (rev && c.rev) rev.value = c.rev;
        changed += 1;
      });
      conflict = !!next.conflict && changed > 0 && !document.getElementById("error-summary");
      next.conflict = false;
      next.queued = next.queued && changed > 0;
      return Object.keys(next.criteria).length ? next : null;
    });
    ctx.changed();
    if (!changed) return;
    if (conflict && !ctx.offline()) { submitNatively("save"); return; } // opened to see both versions
    if (ctx.offline()) { say("offline"); return; }
    say("restored");
    sendQueued();
  }

  window.addEventListener("online", () => { sendQueued(); });
  window.addEventListener("beforeunload", (event) => {
    if (unstored) { event.preventDefault(); event.returnValue = ""; }
  });

  return { id, restore };
}

// Focus after a page load: on a page that came back with errors, the first field at fault;
// after a plain Save, the field the visitor was in (the save reloads the page). Called first
// thing (page.js), before the device's storage is read, so the focus is where it belongs
// as soon as the page shows.
export function restoreFocus(form) {
  if (!form) return;
  // which field the visitor was in (kept on the form: the page's part starts later, after
  // the device's storage is read)
  form.addEventListener("focusin", (event) => {
    if (event.target.id && event.target.closest && event.target.closest(".criterion")) form.dataset.lastField = event.target.id;
  });
  const pageUrl = location.origin + location.pathname;
  let target = null;
  let wanted = null;
  try {
    wanted = sessionStorage.getItem(FOCUS_KEY);
    sessionStorage.removeItem(FOCUS_KEY);
  } catch (error) {
    report("the focus after Save could not be kept (storage refused)", error);
  }
  if (document.getElementById("error-summary")) {
    target = form.querySelector(".criterion.has-error [aria-invalid=true], .criterion.has-error input:not([type=hidden]), .criterion.has-error textarea");
  } else {
    const parts = wanted ? wanted.split("|") : [];
    if (parts[0] === pageUrl && parts[1]) target = document.getElementById(parts[1]);
  }
  if (target) {
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
  }
}

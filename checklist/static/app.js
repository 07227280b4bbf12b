// Small progressive enhancements; every page works without JavaScript.
//
// Offline-safe saving of the checklist (#checklist-form, one page per domain):
//
// * Every criterion the visitor changes is written at once to localStorage under
//   checklist:v2:visit:<id>:domain:<domain>: all of that criterion's fields (answer,
//   number, note, the evidence chips as "seen,children" and their counts), with the
//   version of the stored answer the page started from (`rev_*`). The server's save
//   protocol then tells this device's change from someone else's (see save_protocol.py).
// * Saving goes through the JSON endpoint (data-save-url), which answers per criterion:
//   saved, unchanged, conflict or error. A criterion leaves the copy only when the server
//   said it is saved (or unchanged) and it was not changed again meanwhile. When the save
//   did not go through (a conflict, a bad value, an expired token, a submitted visit, a
//   signed-out session), the form is submitted as without JavaScript, so the server shows
//   its page for it: both versions, the marked field, the read-only page. Nothing is
//   written twice: a second post of an answer already stored is not a change.
// * On load, criteria in the copy that differ from the page are put back, with the
//   version they started from, and #autosave-status says so. A criterion the page shows
//   as stored and equal to the copy leaves the copy.
// * Offline (navigator.onLine false, or the server not reached) a save is held back: the
//   copy is marked "queued" and sent when the `online` event fires, on the next page load
//   of the app (any page: the copy carries its own fields, versions and save address), or
//   on a retry timer.
// * The status texts come from the translation catalog, in data-* attributes of #autosave-status.
// * The "leave without saving" warning is only given when the browser refused to store
//   the copy (storage full or disabled): otherwise nothing typed is lost by leaving.
(function () {
  "use strict";

  var PREFIX = "checklist:v2:";
  var OLD_PREFIX = "checklist:v1:";
  var FIELD = /^(value|note|number|evidence|children_n|parents_n)_(.+)$/;
  var PREFIXES = ["value_", "note_", "number_", "evidence_", "children_n_", "parents_n_"];
  var RETRY_MS = 15000;


  // -- storage (falls back to memory, so the page itself still works) --------------------

  function probe(name) {
    try {
      var s = window[name];
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) {
      return null;
    }
  }
  var local = probe("localStorage");
  var memory = {};

  function readRaw(key) {
    try {
      return local ? local.getItem(key) : (memory[key] || null);
    } catch (e) {
      return null;
    }
  }

  function read(key) {
    try {
      var record = JSON.parse(readRaw(key));
      return record && record.v === 2 && record.criteria ? record : null;
    } catch (e) {
      return null;
    }
  }

  // Write a record, or remove it once no criterion is left. False if the browser refused.
  function write(key, record) {
    var empty = Object.keys(record.criteria).length === 0;
    try {
      if (local) {
        if (empty) local.removeItem(key); else local.setItem(key, JSON.stringify(record));
      } else if (empty) {
        delete memory[key];
      } else {
        memory[key] = JSON.stringify(record);
      }
      return !!local;
    } catch (e) {
      return false;
    }
  }

  function storedKeys(prefix) {
    var keys = [];
    try {
      if (local) {
        for (var i = 0; i < local.length; i++) keys.push(local.key(i));
      } else {
        keys = Object.keys(memory);
      }
    } catch (e) { /* nothing to list */ }
    return keys.filter(function (k) { return k && k.indexOf(prefix + "visit:") === 0; });
  }

  // Copies written by the previous version of this script carried the fingerprint of the
  // answer they started from; as version "0:<fingerprint>" the server still tells a change
  // from this device apart from someone else's (a newer answer gives a conflict).
  function upgradeOldCopies() {
    storedKeys(OLD_PREFIX).forEach(function (oldKey) {
      try {
        var old = JSON.parse(readRaw(oldKey));
        var record = { v: 2, visit: old.visit, domain: old.domain, url: old.url, who: old.who || "", criteria: {}, queued: !!old.queued, savedAt: old.savedAt || 0 };
        Object.keys(old.fields || {}).forEach(function (name) {
          var m = FIELD.exec(name);
          if (!m) return;
          var base = (old.bases || {})["base_" + m[2]];
          var c = record.criteria[m[2]] = record.criteria[m[2]] || { fields: {}, rev: base ? "0:" + base : "" };
          c.fields[name] = old.fields[name];
        });
        record.saveUrl = old.url ? old.url.replace(/\/$/, "") + "/answers" : "";
        if (write(PREFIX + oldKey.slice(OLD_PREFIX.length), record)) local.removeItem(oldKey);
      } catch (e) { /* leave it */ }
    });
  }

  // Who is signed in ("name · organisation" from the header; the role label is translated).
  // A copy is only restored or sent for the person who typed it: tablets are shared.
  function who() {
    var el = document.querySelector(".site-header .who");
    if (!el) return "";
    return el.textContent.split("·").slice(0, 2).map(function (s) { return s.trim(); }).join(" · ");
  }
  var me = who();

  function readOwn(key) {
    var record = read(key);
    return record && (record.who || "") === me ? record : null;
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  function setCsrfToken(token) {
    if (!token) return;
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta) meta.setAttribute("content", token);
    Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf_token]"), function (el) { el.value = token; });
  }

  // -- fields of the live form -------------------------------------------------------------

  function controls(form, name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }

  // The field's value as it would be sent; null when the page has no such field.
  // Checkboxes sharing a name (the evidence chips) give their ticked values joined by
  // commas ("seen,children"), which the server reads as the same set.
  function getValue(form, name) {
    var value = null;
    controls(form, name).forEach(function (el) {
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
    var els = controls(form, name);
    var boxes = els.filter(function (el) { return el.type === "checkbox"; });
    if (boxes.length) {
      var ticked = String(value || "").split(",");
      boxes.forEach(function (el) { el.checked = ticked.indexOf(el.value) >= 0; });
      return true;
    }
    var radios = els.filter(function (el) { return el.type === "radio"; });
    if (radios.length) {
      // Never uncheck everything for a choice this page no longer offers.
      if (!radios.some(function (el) { return el.value === value; })) return false;
      radios.forEach(function (el) { el.checked = el.value === value; });
      return true;
    }
    els.forEach(function (el) { el.value = value; });
    return els.length > 0;
  }

  function criterionOf(name) {
    var m = FIELD.exec(name || "");
    return m ? m[2] : null;
  }

  // All fields of one criterion, as a save sends them.
  function criterionFields(form, ckey) {
    var fields = {};
    PREFIXES.forEach(function (prefix) {
      var value = getValue(form, prefix + ckey);
      if (value !== null) fields[prefix + ckey] = value;
    });
    return fields;
  }

  function sameFields(a, b) {
    var names = Object.keys(a);
    return names.length === Object.keys(b).length && names.every(function (n) { return a[n] === b[n]; });
  }

  function revInput(form, ckey) {
    return controls(form, "rev_" + ckey)[0] || null;
  }

  // The body of a save: the given criteria with their versions, the token, and the button
  // pressed (`go`; none for a save in the background).
  function saveBody(criteria, go) {
    var data = new FormData();
    data.append("csrf_token", csrfToken());
    Object.keys(criteria).forEach(function (ckey) {
      var c = criteria[ckey];
      Object.keys(c.fields).forEach(function (name) { data.append(name, c.fields[name]); });
      data.append("rev_" + ckey, c.rev || "");
    });
    if (go) data.append("go", go);
    return data;
  }

  // POST a save to the JSON endpoint; resolves to {status, body} or to null when the
  // server was not reached (or did not answer with the endpoint's JSON).
  function post(url, data) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        return res.json().then(function (body) { return { status: res.status, body: body }; });
      })
      .catch(function () { return null; });
  }

  function sameOrigin(url) {
    try {
      return !!url && new URL(url, location.href).origin === location.origin;
    } catch (e) {
      return false;
    }
  }

  // Take the server's answer into a copy (keyed by criterion id, `play.space`, where the
  // fields use `play__space`): criteria saved (or unchanged) as they were sent
  // leave it; criteria changed again meanwhile start from the new version. Returns the
  // per-criterion results, for the live page.
  function settle(key, sent, body) {
    var record = read(key);
    var results = (body && body.criteria) || {};
    if (!record) return results;
    Object.keys(sent).forEach(function (ckey) {
      var c = record.criteria[ckey];
      var result = results[ckey.replace(/__/g, ".")];
      if (!c || !result || (result.status !== "saved" && result.status !== "unchanged")) return;
      if (sameFields(c.fields, sent[ckey].fields)) delete record.criteria[ckey];
      else if (result.status === "saved") c.rev = result.version;
    });
    record.queued = false;
    write(key, record);
    return results;
  }

  // -- every page: send queued copies of other checklist pages -----------------------------

  var flushing = {};

  function flushOthers(exceptKey) {
    if (navigator.onLine === false) return;
    storedKeys(PREFIX).forEach(function (key) {
      if (key === exceptKey || flushing[key]) return;
      var record = readOwn(key);
      if (!record || !record.queued || !sameOrigin(record.saveUrl)) return;
      flushing[key] = true;
      var sent = JSON.parse(JSON.stringify(record.criteria));
      post(record.saveUrl, saveBody(sent, "")).then(function (result) {
        delete flushing[key];
        if (!result || result.status === 401) return; // not reached or signed out: later
        if (result.body && result.body.outcome === "expired" && result.body.csrf_token && csrfToken() !== result.body.csrf_token) {
          setCsrfToken(result.body.csrf_token);
          flushOthers(exceptKey);
          return;
        }
        settle(key, sent, result.body); // what is left waits until its page is opened
      });
    });
  }

  upgradeOldCopies();

  // -- the checklist page ------------------------------------------------------------------

  var form = document.getElementById("checklist-form");
  var visit = form && form.getAttribute("data-visit");
  var domain = form && form.getAttribute("data-domain");
  if (!form || !visit || !domain) {
    flushOthers(null);
    window.addEventListener("online", function () { flushOthers(null); });
    return;
  }

  var key = PREFIX + "visit:" + visit + ":domain:" + domain;
  var FOCUS_KEY = "checklist:focus"; // the field a visitor was in when they pressed Save

  var lastField = null;
  form.addEventListener("focusin", function (event) {
    if (event.target.id && event.target.closest && event.target.closest(".criterion")) lastField = event.target.id;
  });
  var pageUrl = location.origin + location.pathname;
  var saveUrl = new URL(form.getAttribute("data-save-url"), location.href).href;

  // Focus after a page load: on a page that came back with errors, the first field at
  // fault; after a plain Save, the field the visitor was in (the save reloads the page).
  (function restoreFocus() {
    var target = null;
    var wanted = null;
    try { wanted = sessionStorage.getItem(FOCUS_KEY); sessionStorage.removeItem(FOCUS_KEY); } catch (e) { /* storage refused */ }
    if (document.getElementById("error-summary")) {
      target = form.querySelector(".criterion.has-error [aria-invalid=true], .criterion.has-error input:not([type=hidden]), .criterion.has-error textarea");
    } else {
      var parts = wanted ? wanted.split("|") : [];
      if (parts[0] === pageUrl && parts[1]) target = document.getElementById(parts[1]);
    }
    if (target) {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
    }
  })();

  var statusEl = document.getElementById("autosave-status");
  var unstored = false; // a change the browser refused to store: warn before leaving
  var sending = false;
  var retryTimer = null;

  function say(kind) {
    if (!statusEl) return;
    statusEl.textContent = kind ? (statusEl.dataset[kind] || "") : ""; // texts from the catalog, in the page
    statusEl.className = "autosave-status" + (kind ? " autosave-" + kind : "");
  }

  function newRecord() {
    return { v: 2, visit: visit, domain: domain, url: pageUrl, saveUrl: saveUrl, who: me, criteria: {}, queued: false, savedAt: 0 };
  }

  function remember(name) {
    var ckey = criterionOf(name);
    if (!ckey) return;
    var record = readOwn(key) || newRecord(); // another person's copy is replaced
    var rev = revInput(form, ckey);
    record.criteria[ckey] = { fields: criterionFields(form, ckey), rev: rev ? rev.value : "" };
    record.url = pageUrl;
    record.saveUrl = saveUrl;
    record.savedAt = Date.now();
    if (!write(key, record)) unstored = true;
  }

  function onEdit(event) {
    remember(event.target && event.target.name);
  }
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  function setQueued(queued) {
    var record = readOwn(key);
    if (!record) return false;
    record.queued = queued;
    write(key, record);
    return true;
  }

  // After a save: the page's versions follow what the server stored.
  function adopt(results) {
    Object.keys(results).forEach(function (id) {
      var result = results[id];
      var input = revInput(form, id.replace(/\./g, "__"));
      if (input && result.status === "saved") input.value = result.version;
    });
  }

  // The form as a browser would submit it, for a save pressed on this page.
  function wholeForm() {
    var criteria = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var ckey = criterionOf(el.name);
      if (ckey && !criteria[ckey]) {
        var rev = revInput(form, ckey);
        criteria[ckey] = { fields: criterionFields(form, ckey), rev: rev ? rev.value : "" };
      }
    });
    return criteria;
  }

  // Submit as without JavaScript, so the server shows its page for what went wrong.
  function submitNatively(go) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "go";
    input.value = go;
    form.appendChild(input);
    HTMLFormElement.prototype.submit.call(form);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var go = (event.submitter && event.submitter.name === "go") ? event.submitter.value : "save";
    if (go === "save" && lastField) {
      try { sessionStorage.setItem(FOCUS_KEY, pageUrl + "|" + lastField); } catch (e) { /* storage refused */ }
    }
    if (go === "jump") { // the phone's domain control: the chosen domain, as its own button says
      var jump = form.elements.namedItem("jump");
      go = "domain:" + (jump ? jump.value : "");
    }
    if (navigator.onLine === false) {
      // The navigation would end on the browser's offline page: stay, keep, send later.
      if (setQueued(true)) say("offline"); else say("offlineNothing");
      return;
    }
    if (sending) return;
    sending = true;
    unstored = false;
    var sent = wholeForm();
    post(saveUrl, saveBody(sent, go)).then(function (result) {
      sending = false;
      if (!result) { // the server was not reached: what was typed waits on this device
        if (setQueued(true)) { say("offline"); retryLater(); } else say("offlineNothing");
        return;
      }
      if (result.body && result.body.outcome === "saved") {
        adopt(settle(key, sent, result.body));
        location.assign(result.body.next);
        return;
      }
      if (result.body && result.body.csrf_token) setCsrfToken(result.body.csrf_token);
      submitNatively(go); // the page for a conflict, a bad value, a submitted visit or the login
    });
  });

  function retryLater() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; sendQueued(); }, RETRY_MS);
  }

  // Send this page's queued copy in the background (after being offline).
  function sendQueued(attempt) {
    var record = readOwn(key);
    if (sending || !record || !record.queued) return;
    if (navigator.onLine === false) { say("offline"); return; }
    sending = true;
    say("sending");
    var sent = JSON.parse(JSON.stringify(record.criteria));
    post(saveUrl, saveBody(sent, "")).then(function (result) {
      sending = false;
      if (!result || result.status === 401) { // not reached, or signed out: try again later
        say("offline");
        retryLater();
        return;
      }
      var body = result.body || {};
      if (body.outcome === "expired" && !attempt) { // a new token came with the answer
        setCsrfToken(body.csrf_token);
        sendQueued(1);
        return;
      }
      adopt(settle(key, sent, body));
      if (body.outcome === "saved") say("saved");
      else say(body.outcome === "locked" ? "locked" : "failed"); // kept; Save shows why
    });
  }

  // On load: put back what this device has and the server does not.
  (function restore() {
    var record = readOwn(key);
    if (!record) return;
    var changed = 0;
    Object.keys(record.criteria).forEach(function (ckey) {
      var c = record.criteria[ckey];
      var fieldset = document.getElementById("c-" + ckey);
      var shown = criterionFields(form, ckey);
      if (sameFields(shown, c.fields)) {
        // The page shows the same: stored, or typed and kept by the server's page.
        if (fieldset && fieldset.getAttribute("data-stored") === "1") delete record.criteria[ckey];
        return;
      }
      var put = Object.keys(c.fields).filter(function (name) { return setValue(form, name, c.fields[name]); });
      if (!put.length) return;
      var rev = revInput(form, ckey);
      if (rev && c.rev) rev.value = c.rev;
      changed++;
    });
    write(key, record);
    if (changed > 0) {
      say("restored");
      if (record.queued && navigator.onLine !== false) sendQueued();
    }
  })();
  flushOthers(key);

  window.addEventListener("online", function () {
    sendQueued();
    flushOthers(key);
  });

  window.addEventListener("beforeunload", function (event) {
    if (unstored) { event.preventDefault(); event.returnValue = ""; }
  });
})();

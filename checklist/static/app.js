// Small progressive enhancements; every page works without JavaScript.
//
// Offline-safe saving of the checklist (#checklist-form, one page per domain), with the
// outbox of outbox.js (IndexedDB, shared with the service worker):
//
// * Every criterion the visitor changes is written at once to the outbox under
//   checklist:v2:visit:<id>:domain:<domain>: all of that criterion's fields (answer,
//   number, note, the evidence chips as "seen,children" and their counts), with the
//   version of the stored answer the page started from (`rev_*`). The server's save
//   protocol then tells this device's change from someone else's (see save_protocol.py).
// * Saving goes through the JSON endpoint (data-save-url), which answers per criterion:
//   saved, unchanged, conflict or error. A criterion leaves the outbox only when the
//   server said it is saved (or unchanged) and it was not changed again meanwhile. When
//   the save did not go through (a conflict, a bad value, an expired token, a submitted
//   visit, a signed-out session), the form is submitted as without JavaScript, so the
//   server shows its page for it: both versions, the marked field, the read-only page, the
//   login (after which the waiting answers are sent by the next page, without Save).
// * On load, criteria in the outbox that differ from the page are put back, with the
//   version they started from, and #autosave-status says so.
// * Offline (navigator.onLine false, or the server not reached) a save is held back: the
//   record is marked "queued" and sent when the `online` event fires, on the next page
//   load of the app (any page), by Background Sync in the service worker, or on a retry
//   timer. In a visit taken offline, the buttons still go to the page they name: the
//   service worker serves it from the device.
// * Every `.sync-line` (next to the buttons) says online or offline, how many answers and
//   statements wait, and when a save last reached the server.
// * Signing out sends what waits first, warns with the number that would be lost, and
//   then removes everything of this person from the device.
// * The texts come from the translation catalog, in data-* attributes of the page.
(function () {
  "use strict";

  var O = window.ChecklistOutbox;
  if (!O) return;
  var PREFIX = O.PREFIX;
  var OLD_PREFIX = "checklist:v1:";
  var FIELD = /^(value|note|number|evidence|children_n|parents_n)_(.+)$/;
  var PREFIXES = ["value_", "note_", "number_", "evidence_", "children_n_", "parents_n_"];
  var RETRY_MS = 15000;
  var SYNC_TAG = "checklist-outbox";
  var hasWorker = "serviceWorker" in navigator && "caches" in window;

  function offline() { return navigator.onLine === false; }

  // Who is signed in ("name · organisation" from the header; the role label is translated).
  // Answers are only restored or sent for the person who typed them: tablets are shared.
  function who() {
    var el = document.querySelector(".site-header .who");
    if (!el) return "";
    return el.textContent.split("·").slice(0, 2).map(function (s) { return s.trim(); }).join(" · ");
  }
  var me = who();

  function own(record) { return !!record && (record.who || "") === me; }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  function setCsrfToken(token) {
    if (!token) return;
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta) meta.setAttribute("content", token);
    Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf_token]"), function (el) { el.value = token; });
    O.setToken(token);
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, name) { return name in values ? values[name] : m; });
  }

  function clock(ms) {
    try {
      return new Date(ms).toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      return new Date(ms).toTimeString().slice(0, 5);
    }
  }

  function worker(message) {
    if (hasWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage(message);
  }

  function askForSync() {
    if (!hasWorker) return;
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.sync ? reg.sync.register(SYNC_TAG) : null;
    }).catch(function () { return null; });
  }

  // -- copies from before the outbox (localStorage) move into it --------------------------

  function probeLocal() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function moveOldCopies() {
    var local = probeLocal();
    if (!local) return Promise.resolve();
    var keys = [];
    try { for (var i = 0; i < local.length; i++) keys.push(local.key(i)); } catch (e) { return Promise.resolve(); }
    var moves = keys.filter(function (k) { return k && (k.indexOf(PREFIX + "visit:") === 0 || k.indexOf(OLD_PREFIX + "visit:") === 0); }).map(function (k) {
      var record = null;
      try { record = JSON.parse(local.getItem(k)); } catch (e) { /* unreadable: leave it */ }
      if (!record) return Promise.resolve();
      var key = PREFIX + k.slice(k.indexOf("visit:"));
      if (record.v === 1) record = upgradeV1(record);
      if (!record || record.v !== 2 || !record.criteria) return Promise.resolve();
      return O.update(key, function (stored) {
        if (!own(stored)) return record;
        // What localStorage holds is newer: a journal entry whose outbox write never ended.
        Object.keys(record.criteria).forEach(function (ckey) { stored.criteria[ckey] = record.criteria[ckey]; });
        stored.queued = stored.queued || record.queued;
        return stored;
      }).then(function (kept) { if (kept) local.removeItem(k); });
    });
    return Promise.all(moves);
  }

  // The journal: each change is also written at once (synchronously) to localStorage, and
  // taken out again when the outbox (asynchronous) has it. A tab closed a moment after a
  // tap loses nothing: the next page moves what is left into the outbox (above).
  function journal(key, ckey, entry, record) {
    var local = probeLocal();
    if (!local) return false;
    try {
      var kept = JSON.parse(local.getItem(key) || "null");
      if (!kept || kept.v !== 2 || kept.who !== record.who) kept = JSON.parse(JSON.stringify(record));
      kept.criteria = kept.criteria || {};
      kept.criteria[ckey] = entry;
      kept.queued = kept.queued || record.queued;
      local.setItem(key, JSON.stringify(kept));
      return true;
    } catch (e) {
      return false;
    }
  }

  function unjournal(key, ckey, entry) {
    var local = probeLocal();
    if (!local) return;
    try {
      var kept = JSON.parse(local.getItem(key) || "null");
      if (!kept || !kept.criteria || !kept.criteria[ckey] || kept.criteria[ckey].at !== entry.at) return; // changed again since
      delete kept.criteria[ckey];
      if (Object.keys(kept.criteria).length) local.setItem(key, JSON.stringify(kept)); else local.removeItem(key);
    } catch (e) { /* leave it */ }
  }

  // After the server confirmed a save: what the journal holds of it is not news.
  function unjournalSent(key, sent) {
    var local = probeLocal();
    if (!local) return;
    try {
      var kept = JSON.parse(local.getItem(key) || "null");
      if (!kept || !kept.criteria) return;
      Object.keys(sent).forEach(function (ckey) {
        if (kept.criteria[ckey] && O.sameFields(kept.criteria[ckey].fields, sent[ckey].fields)) delete kept.criteria[ckey];
      });
      if (Object.keys(kept.criteria).length) local.setItem(key, JSON.stringify(kept)); else local.removeItem(key);
    } catch (e) { /* leave it */ }
  }

  // Copies written by the first version of this script carried the fingerprint of the
  // answer they started from; as version "0:<fingerprint>" the server still tells a change
  // from this device apart from someone else's (a newer answer gives a conflict).
  function upgradeV1(old) {
    var record = { v: 2, visit: old.visit, domain: old.domain, url: old.url, who: old.who || "", criteria: {}, queued: !!old.queued, savedAt: old.savedAt || 0 };
    Object.keys(old.fields || {}).forEach(function (name) {
      var m = FIELD.exec(name);
      if (!m) return;
      var base = (old.bases || {})["base_" + m[2]];
      var c = record.criteria[m[2]] = record.criteria[m[2]] || { fields: {}, rev: base ? "0:" + base : "" };
      c.fields[name] = old.fields[name];
    });
    record.saveUrl = old.url ? old.url.replace(/\/$/, "") + "/answers" : "";
    return record;
  }

  // -- where the visitor stands: next to the buttons ----------------------------------------

  var syncLines = Array.prototype.slice.call(document.querySelectorAll(".sync-line"));

  function syncLine() {
    if (!syncLines.length || !me) return Promise.resolve();
    return Promise.all([O.summary(me), O.lastSaved()]).then(function (found) {
      var s = found[0];
      var last = found[1];
      syncLines.forEach(function (el) {
        var d = el.dataset;
        var parts = [offline() ? d.offline : d.online];
        parts.push(s.count ? fill(d.waiting, { n: s.count }) : d.none);
        if (last) parts.push(fill(d.last, { time: clock(last) }));
        el.textContent = parts.join(" · ");
        el.className = "sync-line" + (offline() ? " is-offline" : "") + (s.count ? " is-waiting" : "");
        s.conflicts.forEach(function (c) {
          if (c.url === location.origin + location.pathname) return;
          var a = document.createElement("a");
          a.href = c.url;
          a.textContent = c.kind === "photo" ? d.photoRefused : c.kind === "voice" ? d.voiceRefused : d.conflict;
          el.appendChild(document.createTextNode(" · "));
          el.appendChild(a);
        });
      });
    }).catch(function () { return null; });
  }

  // -- every page: send what waits ----------------------------------------------------------

  var exceptKey = null; // the checklist page sends its own record

  function flushOthers() {
    if (offline() || !me) return Promise.resolve(null);
    return O.flushAll(me, exceptKey).then(function (result) {
      syncLine();
      return result;
    }).catch(function () { return null; });
  }

  // -- signing out: nothing of this person stays on a shared device -------------------------

  function guardSignOut() {
    var form = document.querySelector("form.account");
    if (!form) return;
    var confirmed = false;
    form.addEventListener("submit", function (event) {
      if (confirmed) return;
      event.preventDefault();
      var sent = offline() ? Promise.resolve() : O.flushAll(me, null, true).catch(function () { return null; });
      sent.then(function () { return O.summary(me); }).then(function (s) {
        if (s.count && !window.confirm(fill(s.count === 1 ? form.dataset.unsentOne : form.dataset.unsent, { n: s.count }))) return null;
        return O.wipe().then(function () {
          confirmed = true;
          HTMLFormElement.prototype.submit.call(form);
        });
      }).catch(function () {
        confirmed = true;
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  }

  // -- the visit page: take it offline; a submitted visit leaves the device ----------------

  function offlinePanel() {
    var submitted = document.querySelector("[data-submitted-visit]");
    if (submitted) O.dropVisit(submitted.getAttribute("data-submitted-visit"));
    var panel = document.getElementById("offline-panel");
    if (!panel || !hasWorker) return;
    var visit = panel.getAttribute("data-visit");
    var state = panel.querySelector(".offline-state");
    var take = panel.querySelector(".take-offline");
    var drop = panel.querySelector(".drop-offline");
    panel.hidden = false;

    function show() {
      return O.offlineVisits().then(function (map) {
        var entry = map[visit];
        if (entry && entry.who === me) {
          state.textContent = fill(panel.dataset.ready, { time: clock(entry.at), n: entry.urls.length });
          take.textContent = panel.dataset.again;
          drop.hidden = false;
        } else {
          state.textContent = panel.dataset.notYet;
          drop.hidden = true;
        }
      });
    }

    take.addEventListener("click", function () {
      take.disabled = true;
      state.textContent = panel.dataset.working;
      navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; }).then(function () {
        return O.takeOffline(panel.getAttribute("data-list-url"), me, function (done, total) {
          state.textContent = fill(panel.dataset.progress, { done: done, total: total });
        });
      }).then(show, function () {
        state.textContent = panel.dataset.failed;
      }).then(function () { take.disabled = false; });
    });
    drop.addEventListener("click", function () {
      O.dropVisit(visit).then(show);
    });
    show();
  }

  // -- the review: submitting needs the server ------------------------------------------------

  function reviewPage() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("form.submit-box[data-visit]"));
    if (!boxes.length) return;
    var visit = boxes[0].getAttribute("data-visit");

    function waitingHere() {
      return O.summary(me, visit).then(function (s) { return s.count; });
    }

    function note(text) {
      boxes.forEach(function (box) {
        var p = box.querySelector(".offline-note");
        p.textContent = text;
        p.hidden = !text;
      });
    }

    function explain() {
      return waitingHere().then(function (n) {
        var waiting = n ? fill(n === 1 ? boxes[0].dataset.waitingOne : boxes[0].dataset.waiting, { n: n }) : "";
        note(offline() ? boxes[0].dataset.offline + (waiting ? " " + waiting : "") : waiting);
        return n;
      });
    }

    boxes.forEach(function (box) {
      var sure = false;
      box.addEventListener("submit", function (event) {
        if (sure) return;
        event.preventDefault();
        if (offline()) { explain(); return; }
        // Everything of this visitor goes first, answers typed without Save included: the
        // server answers "unchanged" for what it has, and those leave the device.
        O.flushAll(me, null, true).catch(function () { return null; }).then(waitingHere).then(function (n) {
          if (n) { explain(); return; }
          sure = true;
          var token = box.querySelector("input[name=csrf_token]");
          return O.token().then(function (t) {
            if (token && t) token.value = t;
            HTMLFormElement.prototype.submit.call(box);
          });
        });
      });
    });
    explain();
    window.addEventListener("online", explain);
    window.addEventListener("offline", explain);
  }

  // -- what children said: written offline, sent later ---------------------------------------

  function childrenPage() {
    var form = document.getElementById("voice-form");
    if (!form) return;
    var visit = form.getAttribute("data-visit");
    var key = O.voicesKey(visit);
    var list = document.getElementById("voices-waiting");
    var status = document.getElementById("voice-status");

    function showWaiting() {
      return O.get(key).then(function (record) {
        var items = own(record) ? record.items : [];
        list.textContent = "";
        items.forEach(function (item) {
          var li = document.createElement("li");
          var text = document.createElement("span");
          text.setAttribute("dir", "auto");
          text.textContent = item.fields.age_band + (item.fields.domain_label ? " · " + item.fields.domain_label : "") + ": " + item.fields.text;
          li.appendChild(text);
          if (item.error) { // the server refused it: why, and the way to let it go
            var why = document.createElement("p");
            why.className = "error";
            why.textContent = item.error;
            var remove = document.createElement("button");
            remove.type = "button";
            remove.className = "button small";
            remove.textContent = list.dataset.remove;
            remove.addEventListener("click", function () {
              O.dropItem(key, item.key).then(function () { return Promise.all([showWaiting(), syncLine()]); });
            });
            li.appendChild(why);
            li.appendChild(remove);
          }
          list.appendChild(li);
        });
        list.parentNode.hidden = !items.length;
      });
    }

    function keep() {
      var fields = {};
      ["age_band", "domain_id", "text"].forEach(function (name) {
        var el = form.elements.namedItem(name);
        fields[name] = el ? el.value : "";
      });
      var select = form.elements.namedItem("domain_id");
      var label = select && select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
      var item = { key: newKey(), fields: fields, at: Date.now() };
      return O.update(key, function (record) {
        if (!own(record)) record = { v: 2, kind: "voices", visit: visit, url: location.origin + location.pathname, postUrl: form.action || location.href, reviewUrl: form.getAttribute("data-review-url"), who: me, items: [] };
        item.fields.domain_label = label;
        record.items.push(item);
        return record;
      }).then(function () {
        form.elements.namedItem("text").value = "";
        status.textContent = status.dataset.kept;
        askForSync();
        return Promise.all([showWaiting(), syncLine()]);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = form.elements.namedItem("text");
      if (!text.value.trim()) { HTMLFormElement.prototype.submit.call(form); return; } // the server says what is missing
      if (offline()) { keep(); return; }
      var data = new FormData(form);
      data.append("client_key", newKey());
      O.post(form.action || location.href, data).then(function (result) {
        if (!result) { keep(); return; }
        if (result.body && result.body.outcome === "saved") { O.markSaved(); location.assign(location.pathname); return; }
        if (result.body) setCsrfToken(result.body.csrf_token);
        HTMLFormElement.prototype.submit.call(form); // the server's page says what is wrong, with the text kept
      });
    });
    showWaiting();
    window.addEventListener("online", function () { flushOthers().then(showWaiting); });
  }

  // -- photos: taken offline, sent later ----------------------------------------------------

  function newKey() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + String(Math.random()).slice(2);
  }

  function photoForms(visit) {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-photo-criterion]"));
    if (!forms.length) return Promise.resolve();
    var key = O.photosKey(visit);
    var pageUrl = location.origin + location.pathname;

    function say(form, text) {
      var box = document.getElementById("photos-" + form.getAttribute("data-photo-key"));
      var p = box && box.querySelector(".photo-offline-status");
      if (!p) {
        p = document.createElement("p");
        p.className = "photo-offline-status flash";
        p.setAttribute("role", "status");
        if (box) box.appendChild(p);
      }
      p.textContent = text;
    }

    // The photos of this page that wait on the device, under their criterion.
    function showWaiting() {
      return O.get(key).then(function (record) {
        var items = own(record) ? record.items : [];
        Array.prototype.forEach.call(document.querySelectorAll(".photo-list.waiting"), function (ul) { ul.parentNode.removeChild(ul); });
        items.forEach(function (item) {
          var box = document.getElementById("photos-" + item.ckey);
          var form = document.querySelector("form[data-photo-key='" + item.ckey + "']");
          if (!box || !form) return;
          var ul = box.querySelector(".photo-list.waiting");
          if (!ul) {
            ul = document.createElement("ul");
            ul.className = "photo-list waiting";
            box.insertBefore(ul, box.querySelector(".photo-add"));
          }
          var li = document.createElement("li");
          var img = document.createElement("img");
          img.src = URL.createObjectURL(item.blob);
          img.alt = form.dataset.waitingAlt;
          img.width = 160;
          var caption = document.createElement("p");
          caption.className = item.error ? "error" : "hint";
          caption.textContent = item.error ? item.error : form.dataset.waiting;
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "button small";
          remove.textContent = form.dataset.remove;
          remove.addEventListener("click", function () {
            O.dropItem(key, item.key).then(function () { return Promise.all([showWaiting(), syncLine()]); });
          });
          li.appendChild(img);
          li.appendChild(caption);
          li.appendChild(remove);
          ul.appendChild(li);
        });
      });
    }

    function keep(form, file) {
      var item = {
        key: newKey(), criterion: form.getAttribute("data-photo-criterion"), ckey: form.getAttribute("data-photo-key"),
        url: pageUrl, postUrl: form.action, blob: file, name: file.name || "photo.jpg", at: Date.now(),
      };
      return O.update(key, function (record) {
        if (!own(record)) record = { v: 2, kind: "photos", visit: visit, who: me, items: [] };
        record.items.push(item);
        return record;
      }).then(function () {
        form.elements.namedItem("photo").value = "";
        form.elements.namedItem("no_person").checked = false;
        say(form, form.dataset.kept);
        askForSync();
        return Promise.all([showWaiting(), syncLine()]);
      });
    }

    forms.forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var input = form.elements.namedItem("photo");
        var file = input && input.files && input.files[0];
        var ticked = form.elements.namedItem("no_person").checked;
        if (offline()) {
          if (!ticked) { say(form, form.dataset.needTick); return; }
          if (!file) { say(form, form.dataset.needFile); return; }
          keep(form, file);
          return;
        }
        if (!ticked || !file) { HTMLFormElement.prototype.submit.call(form); return; } // the server says what is missing
        function send(attempt) {
          var data = new FormData(form);
          data.append("client_key", newKey());
          return O.post(form.action, data).then(function (result) {
            if (!result) return keep(form, file); // the server was not reached: the photo waits on the device
            var body = result.body || {};
            if (body.csrf_token) setCsrfToken(body.csrf_token);
            if (body.outcome === "expired" && !attempt) return send(1);
            if (body.next) { // back at this criterion, with the server's notice
              O.markSaved();
              var next = new URL(body.next, location.href);
              if (next.pathname === location.pathname) { location.hash = next.hash; location.reload(); } else location.assign(next.href);
              return null;
            }
            HTMLFormElement.prototype.submit.call(form);
            return null;
          });
        }
        send(0);
      });
    });
    window.addEventListener("online", function () { flushOthers().then(showWaiting); });
    return showWaiting();
  }

  // -- the checklist page ------------------------------------------------------------------

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

  function checklistPage(form) {
    var visit = form.getAttribute("data-visit");
    var domain = form.getAttribute("data-domain");
    var key = O.answersKey(visit, domain);
    exceptKey = key;
    var FOCUS_KEY = "checklist:focus"; // the field a visitor was in when they pressed Save
    var pageUrl = location.origin + location.pathname;
    var saveUrl = new URL(form.getAttribute("data-save-url"), location.href).href;
    var title = (document.querySelector("h1") || {}).textContent || domain;
    var statusEl = document.getElementById("autosave-status");
    var conflictButton = document.getElementById("show-conflict");
    var unstored = false; // a change the browser refused to store: warn before leaving
    var sending = false;
    var retryTimer = null;
    var lastField = null;

    form.addEventListener("focusin", function (event) {
      if (event.target.id && event.target.closest && event.target.closest(".criterion")) lastField = event.target.id;
    });

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

    function say(kind) {
      if (!statusEl) return;
      statusEl.textContent = kind ? (statusEl.dataset[kind] || "") : ""; // texts from the catalog, in the page
      statusEl.className = "autosave-status" + (kind ? " autosave-" + kind : "");
      if (conflictButton) conflictButton.hidden = kind !== "conflict";
    }

    // All fields of one criterion, as a save sends them.
    function criterionFields(ckey) {
      var fields = {};
      PREFIXES.forEach(function (prefix) {
        var value = getValue(form, prefix + ckey);
        if (value !== null) fields[prefix + ckey] = value;
      });
      return fields;
    }

    function revInput(ckey) {
      return controls(form, "rev_" + ckey)[0] || null;
    }

    function newRecord() {
      return { v: 2, visit: visit, domain: domain, title: title, url: pageUrl, saveUrl: saveUrl, who: me, criteria: {}, queued: false, savedAt: 0 };
    }

    function remember(name) {
      var ckey = criterionOf(name);
      if (!ckey) return;
      var rev = revInput(ckey);
      var entry = { fields: criterionFields(ckey), rev: rev ? rev.value : "", at: Date.now() + Math.random() };
      var queue = offline(); // typed without a connection: sent as soon as it is back
      var journalled = journal(key, ckey, entry, { v: 2, visit: visit, domain: domain, title: title, url: pageUrl, saveUrl: saveUrl, who: me, criteria: {}, queued: queue, savedAt: Date.now() });
      O.update(key, function (record) {
        if (!own(record)) record = newRecord(); // another person's copy is replaced
        record.criteria[ckey] = entry;
        record.url = pageUrl;
        record.saveUrl = saveUrl;
        record.title = title;
        record.savedAt = Date.now();
        if (queue) record.queued = true;
        return record;
      }).then(function (stored) {
        if (stored) unjournal(key, ckey, entry);
        else if (!journalled) unstored = true;
        if (queue) askForSync();
        syncLine();
      });
    }

    function onEdit(event) {
      remember(event.target && event.target.name);
    }
    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);

    // Resolves to true when there was a record of this person to mark.
    function setQueued(queued) {
      var found = false;
      return O.update(key, function (record) {
        if (!own(record)) return record || null;
        found = true;
        record.queued = queued;
        return record;
      }).then(function () {
        if (queued && found) askForSync();
        syncLine();
        return found;
      });
    }

    // After a save: the page's versions follow what the server stored.
    function adopt(results) {
      Object.keys(results).forEach(function (id) {
        var result = results[id];
        var input = revInput(id.replace(/\./g, "__"));
        if (input && result.status === "saved") input.value = result.version;
      });
    }

    // The form as a browser would submit it, for a save pressed on this page.
    function wholeForm() {
      var criteria = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        var ckey = criterionOf(el.name);
        if (ckey && !criteria[ckey]) {
          var rev = revInput(ckey);
          criteria[ckey] = { fields: criterionFields(ckey), rev: rev ? rev.value : "" };
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

    // Where a button leads, for a visit taken offline (the same rule as the server's).
    function target(go) {
      if (go === "review") return form.getAttribute("data-review-url");
      if (go === "children") return form.getAttribute("data-children-url");
      if (go.indexOf("domain:") === 0) return form.getAttribute("data-domain-url").replace(/__domain__$/, encodeURIComponent(go.slice(7)));
      return location.pathname;
    }

    // Without the server: keep, and in a visit taken offline go where the button says.
    function holdBack(go) {
      return setQueued(true).then(function (kept) {
        say(kept ? "offline" : "offlineNothing");
        return O.offlineVisits();
      }).then(function (map) {
        var entry = map[visit];
        if (entry && entry.who === me && go !== "save") location.assign(target(go));
        else retryLater();
      });
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
      if (offline()) { holdBack(go); return; }
      if (sending) return;
      sending = true;
      unstored = false;
      var sent = wholeForm();
      O.post(saveUrl, O.answersBody(sent, csrfToken(), go)).then(function (result) {
        sending = false;
        if (!result) { holdBack(go); return; } // the server was not reached: what was typed waits on this device
        var body = result.body || {};
        if (body.outcome === "saved") {
          O.settle(key, sent, body).then(function (results) {
            unjournalSent(key, sent);
            adopt(results);
            worker({ type: "refresh", urls: [pageUrl] });
            location.assign(body.next);
          });
          return;
        }
        if (body.csrf_token) setCsrfToken(body.csrf_token);
        if (result.status === 401) { // signed out: the login page, and after it the next page sends this
          setQueued(true).then(function () { submitNatively(go); });
          return;
        }
        submitNatively(go); // the page for a conflict, a bad value or a submitted visit
      });
    });

    if (conflictButton) conflictButton.addEventListener("click", function () { submitNatively("save"); });

    function retryLater() {
      if (retryTimer) return;
      retryTimer = setTimeout(function () { retryTimer = null; sendQueued(); }, RETRY_MS);
    }

    // Send this page's queued record in the background (after being offline).
    function sendQueued() {
      if (sending) return Promise.resolve();
      return O.get(key).then(function (record) {
        if (sending || !own(record) || !record.queued) return null;
        if (offline()) { say("offline"); return null; }
        sending = true;
        say("sending");
        return O.sendAnswers(key, "").then(function (r) {
          sending = false;
          if (!r.reached || r.status === 401) { // not reached, or signed out: try again later
            say("offline");
            retryLater();
            return;
          }
          unjournalSent(key, r.sent || {});
          adopt(r.results);
          var outcome = r.body.outcome;
          if (outcome === "saved") say("saved");
          else if (outcome === "conflict") say("conflict"); // "Show both versions" is next to it
          else say(outcome === "locked" ? "locked" : "failed"); // kept; Save shows why
          syncLine();
        });
      });
    }

    // On load: put back what this device has and the server does not.
    function restore() {
      var changed = 0;
      var conflict = false;
      return O.update(key, function (record) {
        if (!own(record)) return record || null;
        Object.keys(record.criteria).forEach(function (ckey) {
          var c = record.criteria[ckey];
          var fieldset = document.getElementById("c-" + ckey);
          var shown = criterionFields(ckey);
          if (O.sameFields(shown, c.fields)) {
            // The page shows the same: stored, or typed and kept by the server's page.
            if (fieldset && fieldset.getAttribute("data-stored") === "1") delete record.criteria[ckey];
            return;
          }
          var put = Object.keys(c.fields).filter(function (name) { return setValue(form, name, c.fields[name]); });
          if (!put.length) return;
          var rev = revInput(ckey);
          if (rev && c.rev) rev.value = c.rev;
          changed++;
        });
        conflict = !!record.conflict && changed > 0 && !document.getElementById("error-summary");
        record.conflict = false;
        record.queued = record.queued && changed > 0;
        return Object.keys(record.criteria).length ? record : null;
      }).then(function () {
        if (!changed) return;
        if (conflict && !offline()) { submitNatively("save"); return; } // opened to see both versions
        if (offline()) { say("offline"); return; }
        say("restored");
        sendQueued();
      });
    }

    window.addEventListener("online", function () {
      sendQueued();
      flushOthers();
    });

    window.addEventListener("beforeunload", function (event) {
      if (unstored) { event.preventDefault(); event.returnValue = ""; }
    });

    return restore().then(function () { return photoForms(visit); });
  }

  // -- start --------------------------------------------------------------------------------

  if (hasWorker) {
    navigator.serviceWorker.register("/sw.js").catch(function () { return null; });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox") syncLine();
    });
  }
  if (me) {
    O.setWho(me);
    O.setToken(csrfToken());
  }
  guardSignOut();
  window.addEventListener("online", syncLine);
  window.addEventListener("offline", syncLine);

  moveOldCopies().then(function () {
    var form = document.getElementById("checklist-form");
    var page = form && form.getAttribute("data-visit") && form.getAttribute("data-domain") ? checklistPage(form) : null;
    offlinePanel();
    reviewPage();
    childrenPage();
    if (!page) window.addEventListener("online", flushOthers);
    return Promise.resolve(page).then(function () {
      document.documentElement.setAttribute("data-outbox", "ready"); // what the device kept is on the page
      worker({ type: "refresh", urls: [location.origin + location.pathname] });
      return flushOthers();
    });
  }).then(syncLine);
})();

// Small progressive enhancements; every page works without JavaScript.
//
// Offline-safe autosave for the checklist (#checklist-form, one page per domain):
//
// * Every answer, note or number the visitor changes is written at once to localStorage
//   under checklist:v1:visit:<id>:domain:<domain>, field by field (only the fields touched
//   on this device, with the `base_*` fingerprint the page carried for that criterion, so
//   the server can still tell a change from this device from someone else's).
// * On load, touched fields that differ from what the server rendered are put back and
//   #autosave-status says so. Untouched fields keep the server's (possibly newer) values.
// * The copy is removed only once the server confirmed the save: a normal submit leaves a
//   "pending" note in sessionStorage, and the next page, if it carries the success flash,
//   removes the fields that were sent. A 422/409/400 page or a failed navigation keeps it.
// * Offline (navigator.onLine false) a submit is held back: the copy is marked "queued" and
//   sent with fetch() when the `online` event fires, on the next page load, or on a retry
//   timer when the network was up but the server was not reachable. Queued copies of other
//   checklist pages are sent from any page of the app: the page is fetched first, for its
//   current answers, fingerprints and token, and only the touched fields are changed.
// * The old "leave without saving" warning is now only given when the browser refused to
//   store the copy (storage full or disabled): otherwise nothing typed is lost by leaving.
(function () {
  "use strict";

  var PREFIX = "checklist:v1:";
  var PENDING = PREFIX + "pending"; // in sessionStorage: the save this tab just submitted
  var FIELD = /^(value|note|number)_(.+)$/;
  var PENDING_MAX_AGE = 5 * 60 * 1000;
  var RETRY_MS = 15000;

  var TEXT = {
    nl: {
      restored: "Niet-opgeslagen antwoorden van dit apparaat zijn teruggezet. Klik op Opslaan om ze te bewaren.",
      offline: "Geen verbinding: je antwoorden staan veilig op dit apparaat en worden verstuurd zodra er weer verbinding is.",
      offlineNothing: "Geen verbinding. Probeer het opnieuw zodra er weer verbinding is.",
      sending: "Je antwoorden worden verstuurd…",
      saved: "Opgeslagen.",
      failed: "Automatisch versturen is niet gelukt. Je antwoorden staan nog op dit apparaat: klik op Opslaan om te zien wat er aan de hand is."
    },
    en: {
      restored: "Unsaved answers from this device were restored. Press Save to keep them.",
      offline: "No connection: your answers are safe on this device and will be sent as soon as the connection is back.",
      offlineNothing: "No connection. Try again once the connection is back.",
      sending: "Sending your answers…",
      saved: "Saved.",
      failed: "Sending automatically did not work. Your answers are still on this device: press Save to see what is wrong."
    }
  };
  var lang = /^en\b/i.test(document.documentElement.lang || "") ? "en" : "nl";

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
  var session = probe("sessionStorage");
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
      return record && record.v === 1 && record.fields ? record : null;
    } catch (e) {
      return null;
    }
  }

  // Write a record, or remove it once no field is left. False if the browser refused.
  function write(key, record) {
    var empty = Object.keys(record.fields).length === 0;
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

  function storedKeys() {
    var keys = [];
    try {
      if (local) {
        for (var i = 0; i < local.length; i++) keys.push(local.key(i));
      } else {
        keys = Object.keys(memory);
      }
    } catch (e) { /* nothing to list */ }
    return keys.filter(function (k) { return k && k.indexOf(PREFIX + "visit:") === 0; });
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

  // -- fields, on the live form or on one parsed from a fetched page ---------------------

  function controls(form, name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }

  // The field's value as it would be sent; null when the page has no such field.
  function getValue(form, name) {
    var value = null;
    controls(form, name).forEach(function (el) {
      if (el.type === "radio") {
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

  function baseName(name) {
    var m = FIELD.exec(name);
    return m ? "base_" + m[2] : null;
  }

  // The answer fields of a form and their values (what a save sends of them).
  function answerValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && FIELD.test(el.name) && !(el.name in values)) values[el.name] = getValue(form, el.name);
    });
    return values;
  }

  // Put a copy's touched fields into a form; returns how many differed from it.
  function applyRecord(form, record) {
    var changed = 0;
    Object.keys(record.fields).forEach(function (name) {
      var want = record.fields[name];
      var have = getValue(form, name);
      if (have === null || want === null || have === want) return;
      if (!setValue(form, name, want)) return;
      changed++;
      var base = baseName(name);
      if (base && record.bases && record.bases[base] != null) {
        controls(form, base).forEach(function (el) { el.value = record.bases[base]; });
      }
    });
    return changed;
  }

  // Everything a browser would submit for this form, plus go=<go>.
  function formData(form, go) {
    var data = new FormData();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "go") return;
      if (/^(submit|button|reset|file|image)$/.test(el.type) || el.tagName === "FIELDSET" || el.tagName === "OUTPUT") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      data.append(el.name, el.value);
    });
    data.append("go", go);
    return data;
  }

  // Remove from a copy the fields the server confirmed (those still as they were sent).
  function forget(key, sent) {
    var record = read(key);
    if (!record) return;
    Object.keys(sent).forEach(function (name) {
      if (name in record.fields && record.fields[name] === sent[name]) delete record.fields[name];
    });
    var kept = {};
    Object.keys(record.fields).forEach(function (name) { kept[baseName(name)] = true; });
    Object.keys(record.bases || {}).forEach(function (base) { if (!kept[base]) delete record.bases[base]; });
    record.queued = false; // what is left was changed after the save: it waits for the next one
    write(key, record);
  }

  function unqueue(key) {
    var record = read(key);
    if (record && record.queued) {
      record.queued = false;
      write(key, record);
    }
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  // POST a save; resolves to {ok, status, doc} or to null when the server was not reached.
  // Only a redirect to a page with the success flash (and no error) counts as saved: a
  // 422 (bad value), 409 (conflict) or 400 (token) page, or the login page, does not.
  function post(url, data) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", redirect: "follow" })
      .then(function (res) {
        return res.text().then(function (html) {
          var doc = parse(html);
          var ok = res.ok && res.redirected && !!doc.querySelector(".flash-success") && !doc.querySelector(".flash-error");
          return { ok: ok, status: res.status, doc: doc };
        });
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

  // -- every page: settle the save this tab submitted, send queued copies ----------------

  function settlePending() {
    if (!session) return;
    var pending = null;
    try {
      pending = JSON.parse(session.getItem(PENDING));
      session.removeItem(PENDING);
    } catch (e) {
      return;
    }
    if (!pending || !pending.key || !pending.sent) return;
    var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    var arrived = !nav || nav.type === "navigate"; // not a reload or back/forward
    var fresh = Date.now() - pending.at < PENDING_MAX_AGE;
    var sameVisit = location.pathname.indexOf(pending.visitPath) === 0;
    if (arrived && fresh && sameVisit && document.querySelector(".flash-success") && !document.querySelector(".flash-error")) {
      forget(pending.key, pending.sent);
    }
  }

  var flushing = {};

  // Send the queued copies of other checklist pages: fetch the page for its current
  // answers, fingerprints and token, put the touched fields in, and save.
  function flushOthers(exceptKey) {
    if (navigator.onLine === false) return;
    storedKeys().forEach(function (key) {
      if (key === exceptKey || flushing[key]) return;
      var record = readOwn(key);
      if (!record || !record.queued || !sameOrigin(record.url)) return;
      flushing[key] = true;
      fetch(record.url, { credentials: "same-origin" })
        .then(function (res) {
          return res.text().then(function (html) {
            var doc = parse(html);
            var form = doc.getElementById("checklist-form");
            if (!form || form.getAttribute("data-visit") !== record.visit || form.getAttribute("data-domain") !== record.domain) {
              // Signed out: try again later. Submitted, gone or out of reach: stop sending;
              // the copy stays and is shown if this page is ever opened again.
              if (!doc.querySelector("input[type=password]")) unqueue(key);
              return;
            }
            applyRecord(form, record);
            var sent = answerValues(form);
            return post(record.url, formData(form, "save")).then(function (result) {
              if (!result) return;
              if (result.ok) forget(key, sent); else unqueue(key);
            });
          });
        })
        .catch(function () { /* not reached: try again later */ })
        .then(function () { delete flushing[key]; });
    });
  }

  settlePending();

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
  var pageUrl = location.origin + location.pathname;
  var statusEl = document.getElementById("autosave-status");
  var unstored = false; // a change the browser refused to store: warn before leaving
  var sending = false;
  var retryTimer = null;

  function say(kind) {
    if (!statusEl) return;
    statusEl.textContent = kind ? TEXT[lang][kind] : "";
    statusEl.className = "autosave-status" + (kind ? " autosave-" + kind : "");
  }

  function newRecord() {
    return { v: 1, visit: visit, domain: domain, url: pageUrl, who: me, fields: {}, bases: {}, queued: false, savedAt: 0 };
  }

  function remember(name) {
    if (!name || !FIELD.test(name)) return;
    var record = readOwn(key) || newRecord(); // another person's copy is replaced
    record.fields[name] = getValue(form, name);
    var base = baseName(name);
    var baseInput = controls(form, base)[0];
    if (baseInput) record.bases[base] = baseInput.value;
    record.url = pageUrl;
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

  form.addEventListener("submit", function (event) {
    var record = readOwn(key);
    if (navigator.onLine === false) {
      // The navigation would end on the browser's offline page: stay, keep, send later.
      event.preventDefault();
      if (record) {
        setQueued(true);
        say("offline");
      } else {
        say("offlineNothing");
      }
      return;
    }
    unstored = false;
    if (record && session) {
      var visitPath = location.pathname.split("/domains/")[0] + "/";
      try {
        session.setItem(PENDING, JSON.stringify({ key: key, sent: answerValues(form), at: Date.now(), visitPath: visitPath }));
      } catch (e) { /* the copy then waits for the next save */ }
    }
  });

  // Take the page's new fingerprints (and token) after a save sent from here.
  function adoptPage(doc) {
    var fresh = doc.getElementById("checklist-form");
    if (!fresh || fresh.getAttribute("data-visit") !== visit || fresh.getAttribute("data-domain") !== domain) return;
    Array.prototype.forEach.call(fresh.querySelectorAll("input[type=hidden][name]"), function (input) {
      if (input.name.indexOf("base_") === 0 || input.name === "csrf_token") {
        controls(form, input.name).forEach(function (el) { el.value = input.value; });
      }
    });
  }

  function rebase() {
    var record = readOwn(key);
    if (!record) return;
    Object.keys(record.fields).forEach(function (name) {
      var base = baseName(name), input = controls(form, base)[0];
      if (input) record.bases[base] = input.value;
    });
    write(key, record);
  }

  function retryLater() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; sendQueued(); }, RETRY_MS);
  }

  function sendQueued(attempt) {
    var record = readOwn(key);
    if (sending || !record || !record.queued) return;
    if (navigator.onLine === false) { say("offline"); return; }
    applyRecord(form, record); // a copy queued in another tab is sent as well
    sending = true;
    say("sending");
    var sent = answerValues(form);
    post(pageUrl, formData(form, "save")).then(function (result) {
      sending = false;
      if (!result) { // the server was not reached
        say("offline");
        retryLater();
        return;
      }
      if (result.ok) {
        forget(key, sent);
        adoptPage(result.doc);
        rebase(); // what was typed during the send now starts from what was saved
        say("saved");
        return;
      }
      if (result.status === 400 && !attempt) { // an expired token: the page came back with a new one
        adoptPage(result.doc);
        sendQueued(1);
        return;
      }
      setQueued(false); // a bad value or a conflict: the visitor sees why when pressing Save
      say("failed");
    });
  }

  // On load: put back what this device has and the server does not.
  (function restore() {
    var record = readOwn(key);
    if (!record) return;
    var pageHasErrors = !!(document.querySelector(".flash-error") || form.querySelector(".has-error"));
    if (applyRecord(form, record) > 0) {
      say("restored");
      if (record.queued && navigator.onLine !== false) sendQueued();
    } else if (!pageHasErrors) {
      write(key, newRecord()); // no fields: removes the copy, the server has all of it
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

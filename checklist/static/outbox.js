// The outbox: what this device typed and the server has not confirmed yet, kept in
// IndexedDB (through the vendored idb-keyval), and the pages of visits taken offline,
// kept in the Cache Storage. Shared by the pages (app.js) and the service worker (sw.js),
// so a save reaches the server the same way whoever sends it: the app's own save
// protocol, with the versions the visitor started from (see save_protocol.py).
//
// Keys (all under "checklist:v2:"):
//   visit:<id>:domain:<domain>  answers of one checklist page: {v: 2, visit, domain, url,
//                               saveUrl, who, criteria: {ckey: {fields, rev}}, queued,
//                               savedAt, conflict}
//   visit:<id>:voices           statements written offline: {v: 2, kind: "voices", visit,
//                               url, postUrl, who, items: [{key, fields, at}]}
//   visit:<id>:photos           photos taken offline: {v: 2, kind: "photos", visit, who, items:
//                               [{key, criterion, ckey, url, postUrl, blob, name, at, error}]}
//                               (an item the server refused keeps its reason in `error`)
//   who                         who is signed in on this device (the service worker sends
//                               only that person's answers: tablets are shared)
//   token                       the last CSRF token a page carried
//   last-saved                  when a save last reached the server (ms)
//   offline-visits              {<visit id>: {at, who, urls}} the visits taken offline
(function (root) {
  "use strict";

  var kv = root.idbKeyval;
  var PREFIX = "checklist:v2:";
  var CACHE_PREFIX = "checklist-visit-";
  var OFFLINE_HEADER = "X-Checklist-Offline"; // the server leaves flashed messages for the real page

  var memory = {}; // where the browser refuses IndexedDB: this page still works, nothing outlives it
  var usable = !!kv;

  function get(key) {
    if (!usable) return Promise.resolve(memory[key]);
    return kv.get(key).catch(function () { usable = false; return memory[key]; });
  }

  function set(key, value) {
    if (!usable) { memory[key] = value; return Promise.resolve(false); }
    return kv.set(key, value).then(function () { return true; }, function () { usable = false; memory[key] = value; return false; });
  }

  // Read-modify-write in one IndexedDB transaction, so the page and the service worker
  // never undo each other's change. `fn` gets the stored value (or undefined) and returns
  // the new one; null removes the key. Resolves to true when stored on the device.
  function update(key, fn) {
    if (!usable) {
      var next = fn(memory[key]);
      if (next === null) delete memory[key]; else memory[key] = next;
      return Promise.resolve(false);
    }
    var removed = false;
    return kv.update(key, function (old) {
      var next = fn(old);
      removed = next === null;
      return next === null ? undefined : next;
    }).then(function () {
      return removed ? kv.del(key).then(function () { return true; }) : true;
    }, function () {
      usable = false;
      return update(key, fn);
    });
  }

  function entries() {
    if (!usable) return Promise.resolve(Object.keys(memory).map(function (k) { return [k, memory[k]]; }));
    return kv.entries().catch(function () { usable = false; return entries(); });
  }

  function answersKey(visit, domain) { return PREFIX + "visit:" + visit + ":domain:" + domain; }
  function voicesKey(visit) { return PREFIX + "visit:" + visit + ":voices"; }
  function photosKey(visit) { return PREFIX + "visit:" + visit + ":photos"; }

  function isAnswers(key, record) {
    return key.indexOf(PREFIX + "visit:") === 0 && key.indexOf(":domain:") > 0 && record && record.v === 2 && record.criteria;
  }
  function isVoices(key, record) {
    return key.indexOf(PREFIX + "visit:") === 0 && /:(voices|photos)$/.test(key) && record && (record.kind === "voices" || record.kind === "photos");
  }

  function sameFields(a, b) {
    var names = Object.keys(a);
    return names.length === Object.keys(b).length && names.every(function (n) { return a[n] === b[n]; });
  }

  function token() { return get(PREFIX + "token").then(function (t) { return t || ""; }); }
  function setToken(t) { return t ? set(PREFIX + "token", t) : Promise.resolve(false); }
  function who() { return get(PREFIX + "who").then(function (w) { return w || ""; }); }
  function setWho(w) { return set(PREFIX + "who", w || ""); }
  function lastSaved() { return get(PREFIX + "last-saved"); }
  function markSaved() { return set(PREFIX + "last-saved", Date.now()); }

  // -- what waits ---------------------------------------------------------------------------

  // Everything of `person` that waits on this device: [{key, record}], answers, statements
  // and photos; with `visit`, of that visit only.
  function waiting(person, visit) {
    return entries().then(function (all) {
      return all.filter(function (pair) {
        var record = pair[1];
        if (!(isAnswers(pair[0], record) || isVoices(pair[0], record))) return false;
        if (visit !== undefined && String(record.visit) !== String(visit)) return false;
        return (record.who || "") === person;
      }).map(function (pair) { return { key: pair[0], record: pair[1] }; });
    });
  }

  function countOf(record) {
    if (record.kind) return (record.items || []).filter(function (i) { return !i.error; }).length;
    return Object.keys(record.criteria).length;
  }

  // How many answers, statements and photos of `person` (of one `visit`, if given) wait, and
  // what needs the person's attention: pages with a conflict, items the server refused.
  function summary(person, visit) {
    return waiting(person, visit).then(function (list) {
      var count = 0;
      var conflicts = [];
      list.forEach(function (item) {
        count += countOf(item.record);
        if (item.record.conflict && item.record.url) conflicts.push({ url: item.record.url, kind: "conflict" });
        if (item.record.kind) {
          item.record.items.forEach(function (i) { if (i.error) conflicts.push({ url: i.url || item.record.url, kind: item.record.kind === "photos" ? "photo" : "voice" }); });
        }
      });
      return { count: count, conflicts: conflicts };
    });
  }

  // -- sending ------------------------------------------------------------------------------

  // POST to the app; resolves to {status, body} or to null when the server was not
  // reached (or did not answer with JSON).
  function post(url, data) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        return res.json().then(function (body) { return { status: res.status, body: body }; });
      })
      .catch(function () { return null; });
  }

  function answersBody(criteria, csrf, go) {
    var data = new FormData();
    data.append("csrf_token", csrf);
    Object.keys(criteria).forEach(function (ckey) {
      var c = criteria[ckey];
      Object.keys(c.fields).forEach(function (name) { data.append(name, c.fields[name]); });
      data.append("rev_" + ckey, c.rev || "");
    });
    if (go) data.append("go", go);
    return data;
  }

  // Take the server's answer into a stored record: criteria saved (or unchanged) as they
  // were sent leave it; criteria changed again meanwhile start from the new version; a
  // conflict marks the record so its page shows both versions. Resolves to the
  // per-criterion results.
  function settle(key, sent, body) {
    var results = (body && body.criteria) || {};
    return update(key, function (record) {
      if (!record) return null;
      var conflict = false;
      Object.keys(sent).forEach(function (ckey) {
        var c = record.criteria[ckey];
        var result = results[ckey.replace(/__/g, ".")];
        if (result && result.status === "conflict") conflict = true;
        if (!c || !result || (result.status !== "saved" && result.status !== "unchanged")) return;
        if (sameFields(c.fields, sent[ckey].fields)) delete record.criteria[ckey];
        else if (result.status === "saved") c.rev = result.version;
      });
      record.queued = false;
      record.conflict = conflict;
      return Object.keys(record.criteria).length ? record : null;
    }).then(function () {
      if (body && body.outcome === "saved") markSaved();
      return results;
    });
  }

  // Send one stored page of answers. Resolves to {reached, status, body, results, sent}.
  // An expired token is answered with a fresh one: the save is tried once more with it.
  function sendAnswers(key, go, attempt) {
    return get(key).then(function (record) {
      if (!record || !Object.keys(record.criteria).length) return { reached: true, body: { outcome: "saved" }, results: {}, sent: {} };
      var sent = JSON.parse(JSON.stringify(record.criteria));
      return token().then(function (csrf) {
        return post(record.saveUrl, answersBody(sent, csrf, go || ""));
      }).then(function (result) {
        if (!result) return { reached: false };
        var body = result.body || {};
        if (body.csrf_token) setToken(body.csrf_token);
        if (body.outcome === "expired" && !attempt) return sendAnswers(key, go, 1);
        if (result.status === 401) return { reached: true, status: 401, body: body, results: {}, sent: sent };
        return settle(key, sent, body).then(function (results) {
          if (record.url) refreshPages([record.url]);
          return { reached: true, status: result.status, body: body, results: results, sent: sent };
        });
      });
    });
  }

  // Send the items of a record (statements written, photos taken offline) one by one; each
  // carries its own key, so one the server already has is not stored twice. An item the
  // server refuses (not valid, too large, the visit full or submitted) stays with the reason
  // for the visitor, and the rest goes on. `form(record, item)` gives {url, fields} to post;
  // `pages(record, item)` the stored pages a stored item changes.
  function sendItems(key, form, pages, attempt) {
    return get(key).then(function (record) {
      var item = record && (record.items || []).filter(function (i) { return !i.error; })[0];
      if (!item) return { reached: true, left: 0 };
      var request = form(record, item);
      return token().then(function (csrf) {
        var data = new FormData();
        data.append("csrf_token", csrf);
        data.append("client_key", item.key);
        request.fields.forEach(function (field) { data.append.apply(data, field); });
        return post(request.url, data);
      }).then(function (result) {
        if (!result) return { reached: false };
        var body = result.body || {};
        if (body.csrf_token) setToken(body.csrf_token);
        if (body.outcome === "expired" && !attempt) return sendItems(key, form, pages, 1);
        if (body.outcome === "expired" || result.status === 401) return { reached: true, status: result.status, body: body };
        if (body.outcome === "saved") markSaved();
        return update(key, function (stored) {
          if (!stored) return null;
          stored.items = stored.items.filter(function (i) {
            if (i.key !== item.key) return true;
            if (body.outcome === "saved") return false;
            i.error = body.message || (body.errors || []).join(" ") || String(result.status);
            return true;
          });
          return stored.items.length ? stored : null;
        }).then(function () {
          if (body.outcome === "saved") refreshPages(pages(record, item));
          return sendItems(key, form, pages, 0);
        });
      });
    });
  }

  function sendVoices(key) {
    return sendItems(key, function (record, item) {
      return { url: record.postUrl, fields: Object.keys(item.fields).map(function (name) { return [name, item.fields[name]]; }) };
    }, function (record) { return [record.url, record.reviewUrl].filter(Boolean); });
  }

  function sendPhotos(key) {
    return sendItems(key, function (record, item) {
      return { url: item.postUrl, fields: [["no_person", "1"], ["photo", item.blob, item.name || "photo.jpg"]] };
    }, function (record, item) { return [item.url]; });
  }

  // Remove one item (a statement or photo the visitor lets go of).
  function dropItem(key, itemKey) {
    return update(key, function (stored) {
      if (!stored) return null;
      stored.items = stored.items.filter(function (i) { return i.key !== itemKey; });
      return stored.items.length ? stored : null;
    });
  }

  // Send everything of `person` that waits (queued answers and all statements), except
  // the page `exceptKey` (which sends its own); with `everything`, also answers typed on a
  // page whose Save was not pressed (before signing out). Resolves to {reached, left, conflicts}.
  var flushing = null;
  function flushAll(person, exceptKey, everything) {
    if (flushing) return flushing;
    flushing = waiting(person).then(function (list) {
      var reached = true;
      var chain = Promise.resolve();
      list.forEach(function (item) {
        if (item.key === exceptKey) return;
        if (!item.record.kind && !item.record.queued && !everything) return; // answers typed, Save not pressed: wait for their page
        chain = chain.then(function () {
          if (!reached) return null;
          var send = item.record.kind === "voices" ? sendVoices(item.key) : item.record.kind === "photos" ? sendPhotos(item.key) : sendAnswers(item.key, "");
          return send.then(function (r) {
            if (!r.reached || r.status === 401) reached = false; // not reached or signed out: later
          });
        });
      });
      return chain.then(function () { return summary(person); }).then(function (s) {
        return { reached: reached, left: s.count, conflicts: s.conflicts };
      });
    }).then(function (result) { flushing = null; return result; }, function (e) { flushing = null; throw e; });
    return flushing;
  }

  // -- pages of visits taken offline -------------------------------------------------------

  function cacheName(visit) { return CACHE_PREFIX + visit; }

  function fetchPage(url) {
    var headers = {};
    headers[OFFLINE_HEADER] = "1";
    return fetch(url, { credentials: "same-origin", headers: headers }).then(function (res) {
      if (!res.ok || res.redirected) throw new Error("not stored: " + url);
      return res;
    });
  }

  // Store every page the visit needs offline (the server lists them). Resolves to the
  // number of pages stored; rejects when the list or a page could not be fetched.
  function takeOffline(listUrl, person, progress) {
    return fetch(listUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) { if (!res.ok) throw new Error("no list"); return res.json(); })
      .then(function (body) {
        var name = cacheName(body.visit);
        var all = body.urls.concat(body.files || []);
        return caches.open(name).then(function (cache) {
          var done = 0;
          return all.reduce(function (chain, url) {
            return chain.then(function () {
              return fetchPage(url).then(function (res) { return cache.put(url, res); }).then(function () {
                done++;
                if (progress) progress(done, all.length);
              });
            });
          }, Promise.resolve()).then(function () {
            return update(PREFIX + "offline-visits", function (map) {
              map = map || {};
              map[body.visit] = { at: Date.now(), who: person, urls: body.urls };
              return map;
            });
          }).then(function () { return body.urls.length; });
        });
      });
  }

  function offlineVisits() {
    return get(PREFIX + "offline-visits").then(function (map) { return map || {}; });
  }

  // Put a fresh copy of pages that are stored offline (after a save changed them).
  function refreshPages(urls) {
    if (typeof caches === "undefined") return Promise.resolve();
    return caches.keys().then(function (names) {
      var ours = names.filter(function (n) { return n.indexOf(CACHE_PREFIX) === 0; });
      return Promise.all(urls.map(function (url) {
        return Promise.all(ours.map(function (name) {
          return caches.open(name).then(function (cache) {
            return cache.match(url).then(function (hit) {
              if (!hit) return null;
              return fetchPage(url).then(function (res) { return cache.put(url, res); }).catch(function () { return null; });
            });
          });
        }));
      }));
    }).catch(function () { return null; });
  }

  // A page stored offline, from any visit taken offline.
  function storedPage(url) {
    if (typeof caches === "undefined") return Promise.resolve(undefined);
    return caches.keys().then(function (names) {
      var ours = names.filter(function (n) { return n.indexOf(CACHE_PREFIX) === 0; });
      return ours.reduce(function (found, name) {
        return found.then(function (hit) {
          return hit || caches.open(name).then(function (cache) { return cache.match(url); });
        });
      }, Promise.resolve(undefined));
    });
  }

  // The visit is submitted (or no longer needed): its pages leave the device. Answers that
  // still wait stay (they show what was not sent).
  function dropVisit(visit) {
    var cleared = typeof caches === "undefined" ? Promise.resolve() : caches.delete(cacheName(visit));
    return cleared.then(function () {
      return update(PREFIX + "offline-visits", function (map) {
        if (!map) return null;
        delete map[visit];
        return Object.keys(map).length ? map : null;
      });
    });
  }

  // Sign-out on a shared device: nothing of this person stays behind.
  function wipe() {
    memory = {};
    var cleared = usable ? kv.clear().catch(function () { return null; }) : Promise.resolve();
    var pages = typeof caches === "undefined" ? Promise.resolve() : caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(CACHE_PREFIX) === 0; }).map(function (n) { return caches.delete(n); }));
    });
    return Promise.all([cleared, pages]);
  }

  root.ChecklistOutbox = {
    PREFIX: PREFIX,
    answersKey: answersKey,
    voicesKey: voicesKey,
    photosKey: photosKey,
    get: get,
    set: set,
    update: update,
    entries: entries,
    sameFields: sameFields,
    token: token,
    setToken: setToken,
    who: who,
    setWho: setWho,
    lastSaved: lastSaved,
    markSaved: markSaved,
    summary: summary,
    post: post,
    answersBody: answersBody,
    settle: settle,
    sendAnswers: sendAnswers,
    sendVoices: sendVoices,
    sendPhotos: sendPhotos,
    dropItem: dropItem,
    flushAll: flushAll,
    takeOffline: takeOffline,
    offlineVisits: offlineVisits,
    refreshPages: refreshPages,
    storedPage: storedPage,
    dropVisit: dropVisit,
    wipe: wipe,
    usable: function () { return usable; },
  };
})(typeof self !== "undefined" ? self : window);

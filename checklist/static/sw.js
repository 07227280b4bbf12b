// The service worker: the app without a connection.
//
// * Pages are always asked from the server first. Only when the server cannot be reached
//   does a page come from the device, and only a page of a visit the signed-in visitor
//   took offline (outbox.js `takeOffline`). Nothing else a user sees is kept.
// * The app's own scripts, styles and icons are kept, so a stored page works offline.
// * Answers and statements waiting in the outbox are sent by Background Sync where the
//   browser has it, through the same save protocol as the pages (outbox.js).
//
// Written by hand rather than with Workbox: the one caching rule (pages of visits taken
// offline, the server first) is a few lines, and Workbox's background-sync queue replays
// raw requests, whereas a save must be sent with the versions it started from and its
// answer (a conflict) kept for the visitor to see.
importScripts("/static/vendor/idb-keyval.js", "/static/outbox.js");

var STATIC = "checklist-static-v1";
var ASSETS = [
  "/static/style.css",
  "/static/app.js",
  "/static/outbox.js",
  "/static/vendor/idb-keyval.js",
  "/static/icons/icon-192.png",
  "/favicon.ico",
];
var SYNC_TAG = "checklist-outbox";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("checklist-static-") === 0 && n !== STATIC; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// Bilingual: the worker does not know the visitor's language.
var NOT_STORED = "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">" +
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Geen verbinding / No connection</title>" +
  "<link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"wrap\">" +
  "<h1>Geen verbinding</h1><p>Deze pagina staat niet op dit apparaat. Wat je hebt ingevuld is bewaard en wordt verstuurd zodra er weer verbinding is. " +
  "Neem een bezoek mee offline met de knop op de bezoekpagina.</p>" +
  "<h2 lang=\"en\">No connection</h2><p lang=\"en\">This page is not on this device. What you entered is kept and will be sent once the connection is back. " +
  "Take a visit offline with the button on the visit page.</p>" +
  "<p><a class=\"button\" href=\"/\">Start / Home</a></p></main></body></html>";

function notStored() {
  return new Response(NOT_STORED, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

function isStatic(url) {
  return url.pathname.indexOf("/static/") === 0 || url.pathname === "/favicon.ico";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET" && isStatic(url)) {
    event.respondWith(fetch(request).then(function (res) {
      if (res.ok && ASSETS.indexOf(url.pathname) >= 0) {
        var copy = res.clone();
        caches.open(STATIC).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (request.method === "GET") {
    // The server first; from the device only what a visit taken offline stored (its pages
    // and the photos they show).
    if (request.mode !== "navigate" && !/^\/visits\/\d+\/photos\/\d+\.jpg$/.test(url.pathname)) return;
    event.respondWith(fetch(request).catch(function () {
      return ChecklistOutbox.storedPage(url.origin + url.pathname + url.search).then(function (hit) {
        return hit || (request.mode === "navigate" ? notStored() : Response.error());
      });
    }));
  } else if (request.mode === "navigate") {
    // A form sent without a connection: say so rather than the browser's error page.
    event.respondWith(fetch(request).catch(notStored));
  }
});

function flush() {
  return ChecklistOutbox.who().then(function (person) {
    return person ? ChecklistOutbox.flushAll(person, null) : { reached: true, left: 0 };
  }).then(function (result) {
    return self.clients.matchAll({ type: "window" }).then(function (windows) {
      windows.forEach(function (w) { w.postMessage({ type: "outbox", result: result }); });
      if (!result.reached) throw new Error("server not reached; the browser tries again later");
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) event.waitUntil(flush());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "refresh" && Array.isArray(data.urls)) event.waitUntil(ChecklistOutbox.refreshPages(data.urls));
  if (data.type === "flush") event.waitUntil(flush().catch(function () { return null; }));
});

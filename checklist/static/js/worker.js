// The service worker: the app without a connection, for the one user unlocked on this device.
//
// * Pages are asked from the server first. When the server cannot be reached, a page comes
//   from the device only if the unlocked user took its visit offline (offline-pages.js,
//   encrypted with that user's key); any other address gets the app shell (shell.html),
//   which lists that user's visits, or lets the owner of the work on this device unlock it.
//   Another user's pages are never served: they are stored under their owner's id and
//   encrypted with their owner's key, which this worker does not have.
// * The app's files are kept under their version (`/static/v/<version>/...`, assets.py):
//   a kept file never changes, so it is served from the device without asking.
// * A sign-out made offline is completed before any other request reaches the server.
// * What waits in the outbox is sent by Background Sync where the browser has it, through
//   the same sender as the pages (sender.js), with the owner's id on every request.
//
// The key: a page gives it (`{type: "unlocked"}`) when it has unlocked its user; after the
// browser stopped the worker, it is read again with the unlock cookie (Cookie Store API).
import { KEYS, deviceStore } from "./kv.js";
import { aesKey, fromBase64Url, readUnlockCookie, COOKIE } from "./vault.js";
import { unlockedNow } from "./unlock.js";
import { offlinePages } from "./offline-pages.js";
import { openOutbox } from "./outbox.js";
import { makeSender } from "./sender.js";
import { report } from "./report.js";

const SYNC_TAG = "checklist-outbox";
const PHOTO = /^\/visits\/\d+\/photos\/\d+\.jpg$/;

// Bilingual: a form sent without a connection (the page's script was not there to keep it).
const NO_CONNECTION = "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">" +
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Geen verbinding / No connection</title></head>" +
  "<body><main><h1>Geen verbinding</h1><p>Dit formulier kon niet worden verstuurd. Probeer het opnieuw zodra er verbinding is.</p>" +
  "<h2 lang=\"en\">No connection</h2><p lang=\"en\">This form could not be sent. Try again once the connection is back.</p>" +
  "<p><a href=\"/\">Start</a></p></main></body></html>";

export function start({ version, assets, shells, urls }) {
  const kv = deviceStore();
  const STATIC = "checklist-static-" + version;
  let session = null; // {uid, dek, key} of the unlocked user, or null

  async function readCookie() {
    if (!self.cookieStore) return null;
    try {
      const found = await self.cookieStore.get(COOKIE);
      return found ? readUnlockCookie(COOKIE + "=" + found.value) : null;
    } catch (error) {
      report("the worker could not read the unlock cookie", error);
      return null;
    }
  }

  async function current() {
    const cookie = await readCookie();
    if (!cookie) {
      if (self.cookieStore) session = null; // locked, or the unlock time is over
      return session;
    }
    if (session && session.uid === cookie.uid) return session;
    session = await unlockedNow({ kv, readCookie: () => cookie });
    return session;
  }

  // A sign-out made offline: posted first, before any other request of this device.
  let signingOut = null;
  function completeSignOut() {
    if (signingOut) return signingOut;
    signingOut = (async () => {
      const pending = await kv.get(KEYS.signOut);
      if (!pending) return;
      const data = new FormData();
      data.append("csrf_token", pending.token || "");
      const response = await fetch(urls.logout, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" });
      if (response.type === "opaqueredirect" || response.ok || response.status === 400 || response.status === 303) await kv.del(KEYS.signOut);
    })().catch(() => null).finally(() => { signingOut = null; });
    return signingOut;
  }

  async function shell() {
    const lang = (await kv.get(KEYS.lang)) === "en" ? "en" : "nl";
    const hit = await caches.match(shells[lang]);
    if (hit) return new Response(hit.body, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
    return new Response(NO_CONNECTION, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }

  async function fromDevice(url) {
    const who = await current();
    return who ? offlinePages(kv, who).stored(url) : undefined;
  }

  async function page(request) {
    await completeSignOut();
    try {
      return await fetch(request);
    } catch (error) {
      const url = new URL(request.url);
      return (await fromDevice(url.origin + url.pathname + url.search)) || shell();
    }
  }

  async function photo(request) {
    try {
      return await fetch(request);
    } catch (error) {
      const url = new URL(request.url);
      return (await fromDevice(url.origin + url.pathname)) || Response.error();
    }
  }

  // A page stored before a new version of the app names its files under the old version:
  // it gets today's (as the server does, assets.py).
  async function kept(request, url) {
    const today = url.origin + url.pathname.replace(/^\/static\/v\/[^/]+\//, "/static/v/" + version + "/");
    const hit = await caches.match(today);
    if (hit) return hit;
    const response = await fetch(today);
    if (response.ok) {
      const copy = response.clone();
      caches.open(STATIC).then((cache) => cache.put(today, copy)).catch((error) => report("a file could not be kept", error));
    }
    return response;
  }

  async function flush() {
    const who = await current();
    const result = who ? await makeSender({ outbox: openOutbox(kv, who) }).flushAll() : { reached: true };
    const windows = await self.clients.matchAll({ type: "window" });
    windows.forEach((w) => w.postMessage({ type: "outbox", result }));
    if (!result.reached) throw new Error("server not reached; the browser tries again later");
  }

  self.addEventListener("install", (event) => {
    event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(assets.concat([shells.nl, shells.en]))).then(() => self.skipWaiting()));
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil((async () => {
      for (const name of await caches.keys()) {
        // older versions of the app's files, and the pages stored in clear by the app before
        // pages were kept per user (checklist-visit-*)
        if (name !== STATIC && name.startsWith("checklist-")) await caches.delete(name);
      }
      await self.clients.claim();
    })());
  });

  self.addEventListener("fetch", (event) => {
    const request = event.request;
    const url = new URL(request.url);
    if (url.origin !== self.location.origin) return;
    if (request.method === "GET" && url.pathname.startsWith("/static/v/")) {
      event.respondWith(kept(request, url));
    } else if (request.method === "GET" && request.mode === "navigate") {
      event.respondWith(page(request));
    } else if (request.method === "GET" && PHOTO.test(url.pathname)) {
      event.respondWith(photo(request));
    } else if (request.mode === "navigate") {
      event.respondWith(completeSignOut().then(() => fetch(request)).catch(() => new Response(NO_CONNECTION, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } })));
    } else if (url.pathname !== urls.logout) {
      event.respondWith(completeSignOut().then(() => fetch(request)));
    }
  });

  self.addEventListener("sync", (event) => {
    if (event.tag === SYNC_TAG) event.waitUntil(completeSignOut().then(flush));
  });

  self.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "unlocked" && data.uid && data.dek) {
      event.waitUntil((async () => {
        const dek = fromBase64Url(data.dek);
        session = { uid: String(data.uid), dek, key: await aesKey(dek) };
      })());
    } else if (data.type === "lock") {
      session = null;
    } else if (data.type === "flush") {
      event.waitUntil(flush().catch(() => null));
    }
  });
}

// The pages of visits a user took offline: kept in IndexedDB, encrypted with that user's
// data key, and served by the service worker to that user only (worker.js).
//
// Taking a visit offline asks the server which pages it needs (`/visits/<id>/offline`),
// then fetches them four at a time, each with the ETag of the copy already on the device:
// an unchanged page comes back as "304 Not Modified" and is not moved again; a photo, which
// never changes, is not asked for again at all.
import { KEYS, PREFIX, entriesUnder } from "./kv.js";
import { seal, sealJson, unseal, unsealJson } from "./vault.js";
import { withLock } from "./locks.js";
import { report } from "./report.js";

export const OFFLINE_HEADER = "X-Checklist-Offline"; // the server leaves flashed messages for the real page
const AT_ONCE = 4;
const PHOTO = /\/photos\/\d+\.jpg$/;

export function offlinePages(kv, session, { fetcher = (...a) => fetch(...a) } = {}) {
  const uid = String(session.uid);
  const key = session.key;
  const pagePrefix = PREFIX + "page:" + uid + ":";
  let closed = false; // after dropAll (signing out): a refresh still under way stores nothing

  async function index() {
    const stored = await kv.get(KEYS.offline(uid));
    if (!stored) return { visits: {} };
    try {
      return await unsealJson(key, stored.box);
    } catch (error) {
      report("the list of visits on this device could not be read", error);
      return { visits: {} };
    }
  }

  function changeIndex(change) {
    return withLock("checklist-offline:" + uid, async () => {
      const next = change(await index());
      await kv.set(KEYS.offline(uid), { owner: uid, box: await sealJson(key, next) });
      return next;
    });
  }

  async function keep(url, visit, response) {
    const body = new Uint8Array(await response.arrayBuffer());
    const head = { status: response.status, type: response.headers.get("Content-Type") || "text/html; charset=utf-8" };
    const entry = {
      owner: uid, visit: String(visit), url, etag: response.headers.get("ETag") || "", bytes: body.length,
      head: await sealJson(key, head), box: await seal(key, body),
    };
    if (!closed) await kv.set(KEYS.page(uid, url), entry);
  }

  // Fetch one page (or photo) unless the device has it as it is. Resolves to "fetched",
  // "unchanged" or throws when it could not be had.
  async function fetchOne(url, visit) {
    const stored = await kv.get(KEYS.page(uid, url));
    if (stored && PHOTO.test(url)) return "unchanged";
    const headers = { [OFFLINE_HEADER]: "1" };
    if (stored && stored.etag) headers["If-None-Match"] = stored.etag;
    const response = await fetcher(url, { credentials: "same-origin", headers });
    if (response.status === 304 && stored) return "unchanged";
    if (!response.ok || response.redirected) throw new Error("not stored: " + url + " (" + response.status + ")");
    await keep(url, visit, response);
    return "fetched";
  }

  // Store every page the visit needs offline. Resolves to {pages, fetched}; rejects when
  // the list or a page could not be fetched (what was stored stays).
  async function takeOffline(listUrl, onProgress = () => null) {
    const response = await fetcher(listUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("no list of pages: " + response.status);
    const list = await response.json();
    const urls = list.urls.map(absolute);
    const files = (list.files || []).map(absolute);
    const all = urls.concat(files);
    let done = 0;
    let fetched = 0;
    await inBatches(all, AT_ONCE, async (url) => {
      if ((await fetchOne(url, list.visit)) === "fetched") fetched += 1;
      done += 1;
      onProgress(done, all.length);
    });
    await changeIndex((current) => {
      current.visits[list.visit] = { at: Date.now(), urls, files, location: list.location, date: list.date, state: list.state };
      return current;
    });
    return { pages: urls.length, fetched };
  }

  // After a save changed them: a fresh copy of the stored pages among `urls`.
  async function refresh(urls) {
    for (const url of urls) {
      if (closed) return;
      const stored = await kv.get(KEYS.page(uid, absolute(url)));
      if (!stored) continue;
      try {
        await fetchOne(absolute(url), stored.visit);
      } catch (error) {
        report("a stored page could not be refreshed: " + url, error);
      }
    }
  }

  // The visit's state as the server has it now (after a save), for the app shell's counts.
  function setState(visit, state) {
    return changeIndex((current) => {
      if (current.visits[visit]) current.visits[visit].state = state;
      return current;
    });
  }

  // A stored page as a response, or undefined.
  async function stored(url) {
    const entry = await kv.get(KEYS.page(uid, url));
    if (!entry) return undefined;
    try {
      const head = await unsealJson(key, entry.head);
      const body = await unseal(key, entry.box);
      return new Response(body, { status: head.status, headers: { "Content-Type": head.type, "Cache-Control": "no-store", "X-Checklist-From": "device" } });
    } catch (error) {
      report("a stored page could not be decrypted: " + url, error);
      return undefined;
    }
  }

  // The visit is submitted, or the user lets it go: its pages leave the device. What still
  // waits in the outbox stays (it shows what was not sent).
  async function dropVisit(visit) {
    for (const [storageKey, entry] of await entriesUnder(kv, pagePrefix)) {
      if (entry.visit === String(visit)) await kv.del(storageKey);
    }
    await changeIndex((current) => {
      delete current.visits[visit];
      return current;
    });
  }

  async function dropAll() {
    closed = true;
    for (const [storageKey] of await entriesUnder(kv, pagePrefix)) await kv.del(storageKey);
    await kv.del(KEYS.offline(uid));
  }

  return { index, takeOffline, refresh, setState, stored, dropVisit, dropAll };
}

function absolute(url) {
  return typeof location !== "undefined" ? new URL(url, location.href).href : url;
}

// Run `step` over `items`, at most `size` at a time.
async function inBatches(items, size, step) {
  let next = 0;
  const workers = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await step(item);
    }
  });
  await Promise.all(workers);
}

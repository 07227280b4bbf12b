// The device's storage: one IndexedDB key-value store (the vendored idb-keyval), shared by
// the pages and the service worker. Where the browser refuses IndexedDB (a private window
// in some browsers), a memory store keeps the page working; nothing then outlives it.
//
// Every key starts with "checklist:v3:". What is kept there, and what is readable without
// the owner's key, is listed in KEYS below (see vault.js and outbox.js for the encryption).
import * as idb from "./vendor/idb-keyval.js";
import { report } from "./report.js";

export const PREFIX = "checklist:v3:";

// The keys: the parts in clear say whose and how many, never what was typed or seen.
export const KEYS = {
  vault: (uid) => PREFIX + "vault:" + uid, // the owner's data key, wrapped by their password and by the server's key
  unlocked: PREFIX + "unlocked", // the data key of the one user unlocked now, wrapped by the unlock cookie's secret
  pendingKek: PREFIX + "pending-kek", // from the sign-in form: the password's key, until the first page binds it
  record: (uid, id) => PREFIX + "rec:" + uid + ":" + id, // outbox record: {owner, id, kind, visit, count, attention, box}
  blob: (uid, id) => PREFIX + "blob:" + uid + ":" + id, // a photo's bytes, encrypted
  page: (uid, url) => PREFIX + "page:" + uid + ":" + url, // a page of a visit taken offline, encrypted
  offline: (uid) => PREFIX + "offline:" + uid, // which visits the owner took offline, encrypted
  meta: (uid) => PREFIX + "meta:" + uid, // the owner's CSRF token and last save, encrypted
  signOut: PREFIX + "sign-out", // a sign-out made offline, completed when the connection is back: {uid, token}
  signedOut: (uid) => PREFIX + "signed-out:" + uid, // the server said this owner's session ended
  lang: PREFIX + "lang", // the language of the last page (for the app shell)
};

export function memoryStore() {
  const map = new Map();
  return {
    get: async (key) => map.get(key),
    set: async (key, value) => { map.set(key, value); },
    del: async (key) => { map.delete(key); },
    keys: async () => Array.from(map.keys()),
    entries: async () => Array.from(map.entries()),
  };
}

// IndexedDB, falling back to memory for the rest of this page's life when it fails.
export function deviceStore() {
  const memory = memoryStore();
  let usable = typeof indexedDB !== "undefined";
  const guard = (name) => (...args) => {
    if (!usable) return memory[name](...args);
    return idb[name](...args).catch((error) => {
      report("IndexedDB refused " + name + "; this page keeps its data in memory", error);
      usable = false;
      return memory[name](...args);
    });
  };
  return {
    get: guard("get"),
    set: guard("set"),
    del: guard("del"),
    keys: guard("keys"),
    entries: guard("entries"),
    persistent: () => usable,
  };
}

// Entries whose key starts with `prefix`.
export async function entriesUnder(kv, prefix) {
  const all = await kv.entries();
  return all.filter(([key]) => typeof key === "string" && key.startsWith(prefix));
}

// The journal: each change on a checklist page is also written at once, synchronously, to
// localStorage, and taken out again as soon as the outbox (asynchronous, encrypted) has it.
// A tab closed a moment after a tap loses nothing: the owner's next page moves what is left
// into the outbox.
//
// What the journal holds is in clear for those few milliseconds (WebCrypto cannot encrypt
// synchronously); an entry is only left behind when the tab dies inside that moment, and
// then only the owner's next page reads it (the README's security section says so).
import { PREFIX } from "./kv.js";
import { report } from "./report.js";

const JOURNAL = PREFIX + "journal:";

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch (error) {
    return null; // storage refused (a privacy setting): the outbox alone keeps the change
  }
}

function journalKey(uid, id) { return JOURNAL + uid + ":" + id; }

// Write one criterion's entry; false when the browser refused.
export function write(uid, id, page, ckey, entry) {
  const local = storage();
  if (!local) return false;
  try {
    const key = journalKey(uid, id);
    const kept = JSON.parse(local.getItem(key) || "null") || { page, criteria: {} };
    kept.page = page;
    kept.criteria[ckey] = entry;
    local.setItem(key, JSON.stringify(kept));
    return true;
  } catch (error) {
    report("the journal refused a change (storage full?)", error);
    return false;
  }
}

// Take an entry out once the outbox has it, unless it changed again since.
export function forget(uid, id, ckey, entry) {
  const local = storage();
  if (!local) return;
  try {
    const key = journalKey(uid, id);
    const kept = JSON.parse(local.getItem(key) || "null");
    if (!kept || !kept.criteria[ckey] || kept.criteria[ckey].at !== entry.at) return;
    delete kept.criteria[ckey];
    if (Object.keys(kept.criteria).length) local.setItem(key, JSON.stringify(kept));
    else local.removeItem(key);
  } catch (error) {
    report("the journal could not be cleared", error);
  }
}

// What the journal still holds for `uid`: [{id, page, criteria}], and a function that takes
// one out after it reached the outbox.
export function leftOver(uid) {
  const local = storage();
  if (!local) return [];
  const found = [];
  try {
    for (let i = 0; i < local.length; i += 1) {
      const key = local.key(i);
      if (!key || !key.startsWith(JOURNAL + uid + ":")) continue;
      const kept = JSON.parse(local.getItem(key) || "null");
      if (kept && kept.criteria) found.push({ id: key.slice((JOURNAL + uid + ":").length), page: kept.page, criteria: kept.criteria, storageKey: key });
    }
  } catch (error) {
    report("the journal could not be read", error);
  }
  return found;
}

export function remove(storageKey) {
  const local = storage();
  if (local) local.removeItem(storageKey);
}

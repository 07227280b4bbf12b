// The outbox: what one user typed on this device and the server has not confirmed yet,
// kept in IndexedDB encrypted with that user's data key (vault.js). Shared by the pages and
// the service worker; every change is one step under a lock (locks.js), so neither undoes
// the other's.
//
// Stored per record: {owner, id, kind, visit, count, attention, box}. `owner` (the user's
// id), the kind, the visit's id and how many items wait are in clear, so a sign-in page can
// say "12 items wait on this device" and the sender can leave another user's items alone;
// what was typed, seen or photographed is only in `box`.
import { KEYS, PREFIX, entriesUnder } from "./kv.js";
import { seal, sealJson, unseal, unsealJson } from "./vault.js";
import { withLock } from "./locks.js";
import { attentionOf, countOf, summarize } from "./records.js";
import { report } from "./report.js";

export function openOutbox(kv, session) {
  const uid = String(session.uid);
  const key = session.key;
  const lockName = "checklist-outbox:" + uid;
  const recordPrefix = PREFIX + "rec:" + uid + ":";

  // The record, undefined when there is none; an error when it cannot be decrypted (it is
  // then never overwritten).
  async function get(id) {
    const stored = await kv.get(KEYS.record(uid, id));
    return stored ? unsealJson(key, stored.box) : undefined;
  }

  async function put(id, record) {
    await kv.set(KEYS.record(uid, id), {
      owner: uid,
      id,
      kind: record.kind,
      visit: String(record.visit),
      count: countOf(record),
      attention: attentionOf(record).length,
      box: await sealJson(key, record),
    });
  }

  // One read-change-write: `change(record | undefined)` returns the new record, or null to
  // remove it. Resolves to what was stored.
  function update(id, change) {
    return withLock(lockName, async () => {
      const next = change(await get(id));
      if (next === null || next === undefined) await kv.del(KEYS.record(uid, id));
      else await put(id, next);
      return next || null;
    });
  }

  // This user's records, decrypted: [{id, record}]; with `visit`, of that visit only.
  async function list(visit) {
    const found = [];
    for (const [storageKey, stored] of await entriesUnder(kv, recordPrefix)) {
      if (visit !== undefined && stored.visit !== String(visit)) continue;
      try {
        found.push({ id: storageKey.slice(recordPrefix.length), record: await unsealJson(key, stored.box) });
      } catch (error) {
        report("a waiting record could not be decrypted and is left as it is: " + storageKey, error);
      }
    }
    return found;
  }

  async function summary(visit) {
    return summarize((await list(visit)).map((entry) => entry.record));
  }

  // A photo's bytes, apart from its record (a record is rewritten at every change).
  async function putBlob(id, blob) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    await kv.set(KEYS.blob(uid, id), { owner: uid, type: blob.type || "image/jpeg", box: await seal(key, bytes) });
  }

  async function getBlob(id) {
    const stored = await kv.get(KEYS.blob(uid, id));
    if (!stored) return null;
    return new Blob([await unseal(key, stored.box)], { type: stored.type });
  }

  function dropBlob(id) {
    return kv.del(KEYS.blob(uid, id));
  }

  // The user's CSRF token and when a save last reached the server.
  async function meta() {
    const stored = await kv.get(KEYS.meta(uid));
    if (!stored) return {};
    try {
      return await unsealJson(key, stored.box);
    } catch (error) {
      report("the device's notes of this user could not be read", error);
      return {};
    }
  }

  function setMeta(patch) {
    return withLock(lockName + ":meta", async () => {
      const next = { ...(await meta()), ...patch };
      await kv.set(KEYS.meta(uid), { owner: uid, box: await sealJson(key, next) });
      return next;
    });
  }

  // Everything of this user that waits (an explicit choice at sign-out, never the default).
  async function wipe() {
    const mine = [recordPrefix, PREFIX + "blob:" + uid + ":"];
    for (const prefix of mine) {
      for (const [storageKey] of await entriesUnder(kv, prefix)) await kv.del(storageKey);
    }
  }

  return { uid, get, update, list, summary, putBlob, getBlob, dropBlob, meta, setMeta, wipe };
}

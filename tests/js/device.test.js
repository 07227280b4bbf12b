// vault.js, unlock.js, outbox.js and sender.js: one device, two users. What one user left
// is neither readable nor sendable by the other; its owner opens it with their password.
import { test } from "node:test";
import assert from "node:assert/strict";

import { KEYS, memoryStore } from "../../checklist/static/js/kv.js";
import { lookupOf, readUnlockCookie, toBase64Url } from "../../checklist/static/js/vault.js";
import { lockAll, rememberPassword, unlockForUser, unlockWithPassword, waitingByOwner } from "../../checklist/static/js/unlock.js";
import { openOutbox } from "../../checklist/static/js/outbox.js";
import { makeSender, OWNER_HEADER } from "../../checklist/static/js/sender.js";
import { answersId, putAnswer } from "../../checklist/static/js/records.js";

const NOTE = "Speelkamer op slot, notitie van A";

// A device: one store and one cookie jar; `online` and the server's keys can be changed.
function device() {
  const kv = memoryStore();
  let cookie = "";
  const state = { online: true, serverKeys: {} };
  const env = {
    kv,
    readCookie: () => readUnlockCookie(cookie),
    writeCookie: (uid, secret) => { cookie = "checklist-unlock=" + uid + "." + toBase64Url(secret); },
    clearCookie: () => { cookie = ""; },
    online: () => state.online,
    hasRecords: async (uid) => (await kv.keys()).some((k) => k.startsWith(KEYS.record(uid, ""))),
    serverKey: async (vaultId) => (state.online ? state.serverKeys[vaultId] || (state.serverKeys[vaultId] = crypto.getRandomValues(new Uint8Array(32))) : null),
  };
  return { kv, env, state };
}

async function user(id, email) {
  return { id, lookup: await lookupOf(email), unlockMinutes: 120 };
}

async function aTypesANote(tablet) {
  await rememberPassword(tablet.env, "a@x.test", "wachtwoord van A"); // the sign-in form
  const session = await unlockForUser(tablet.env, await user(1, "a@x.test")); // the first page after it
  const outbox = openOutbox(tablet.kv, session);
  const page = { visit: "7", domain: "play", url: "/visits/7/domains/play", saveUrl: "/visits/7/domains/play/answers" };
  await outbox.update(answersId("7", "play"), (r) => putAnswer(r, page, "play__space", { fields: { note_play__space: NOTE }, rev: "", revField: "rev_play__space" }, true, 1));
  return session;
}

async function dump(kv) {
  const entries = await kv.entries();
  return JSON.stringify(entries, (key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString("latin1") : value));
}

test("nothing typed is on the device in clear", async () => {
  const tablet = device();
  await aTypesANote(tablet);
  assert.ok(!(await dump(tablet.kv)).includes(NOTE));
  assert.ok(!(await dump(tablet.kv)).includes("wachtwoord van A"));
  assert.deepEqual(await waitingByOwner(tablet.kv), { 1: 1 }, "how much waits, and whose, is in clear");
});

test("another user's pages get their own key, and read nothing of the first user's", async () => {
  const tablet = device();
  await aTypesANote(tablet);
  await lockAll(tablet.env); // the sign-in page
  const b = await unlockForUser(tablet.env, await user(2, "b@x.test"));
  assert.equal(b.uid, "2");
  assert.deepEqual(await openOutbox(tablet.kv, b).list(), []);
  // With B's key, A's records do not decrypt even when addressed directly.
  const aRecord = await tablet.kv.get(KEYS.record("1", answersId("7", "play")));
  const asIfA = openOutbox(tablet.kv, { uid: "1", key: b.key });
  await assert.rejects(asIfA.get(answersId("7", "play")));
  assert.ok(aRecord, "A's record is still there, for A");
});

test("offline after the browser closed, the owner's password opens the work; a wrong one does not", async () => {
  const tablet = device();
  await aTypesANote(tablet);
  await lockAll(tablet.env);
  tablet.state.online = false;
  assert.deepEqual(await unlockForUser(tablet.env, await user(1, "a@x.test")), { locked: true }, "no cookie, no server: locked");
  assert.equal(await unlockWithPassword(tablet.env, "a@x.test", "verkeerd", 120), null);
  const again = await unlockWithPassword(tablet.env, "A@x.test ", "wachtwoord van A", 120);
  const [{ record }] = await openOutbox(tablet.kv, again).list();
  assert.equal(record.criteria.play__space.fields.note_play__space, NOTE);
});

test("online, the server's key for the owner opens the work without the password", async () => {
  const tablet = device();
  await aTypesANote(tablet);
  await lockAll(tablet.env);
  const again = await unlockForUser(tablet.env, await user(1, "a@x.test"));
  assert.equal((await openOutbox(tablet.kv, again).list()).length, 1);
});

test("the sender says whose items it sends; a refusal for another owner keeps them, a 401 stops", async () => {
  const tablet = device();
  const session = await aTypesANote(tablet);
  const outbox = openOutbox(tablet.kv, session);
  const seen = [];
  const answer = (status, body) => async (url, options) => {
    seen.push(options.headers[OWNER_HEADER]);
    return { status, json: async () => body };
  };
  let result = await makeSender({ outbox, fetcher: answer(403, { outcome: "not_owner", message: "x" }) }).flushAll();
  assert.equal(result.notOwner, true);
  assert.equal((await outbox.summary()).count, 1, "kept for its owner");
  result = await makeSender({ outbox, fetcher: answer(401, { outcome: "signed_out" }) }).flushAll();
  assert.equal(result.signedOut, true);
  assert.equal((await outbox.summary()).count, 1);
  result = await makeSender({ outbox, fetcher: answer(200, { outcome: "saved", criteria: { "play.space": { key: "play__space", status: "saved", version: "v1" } } }) }).flushAll();
  assert.deepEqual(result.sent, ["7"]);
  assert.equal((await outbox.summary()).count, 0);
  assert.deepEqual([...new Set(seen)], ["1"]);
});

test("no connection: nothing is lost and nothing counts as sent", async () => {
  const tablet = device();
  const session = await aTypesANote(tablet);
  const outbox = openOutbox(tablet.kv, session);
  const result = await makeSender({ outbox, fetcher: async () => { throw new TypeError("Failed to fetch"); } }).flushAll();
  assert.equal(result.reached, false);
  assert.deepEqual(result.sent, []);
  assert.equal((await outbox.summary()).count, 1);
});

test("a server that asks to wait (429, a fair limit) refuses nothing: all stays to send later", async () => {
  const tablet = device();
  const session = await aTypesANote(tablet);
  const outbox = openOutbox(tablet.kv, session);
  const busy = async () => ({ status: 429, json: async () => { throw new SyntaxError("an HTML page"); } });
  const result = await makeSender({ outbox, fetcher: busy }).flushAll();
  assert.equal(result.reached, false);
  assert.deepEqual(result.sent, []);
  const [{ record }] = await outbox.list();
  assert.equal(record.criteria.play__space.fields.note_play__space, NOTE);
  assert.ok(!JSON.stringify(record).includes("refused"), JSON.stringify(record));
});

// checklist/static/js/records.js: what waits on the device, and how the server's answer settles it.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  ANSWERS, addItem, attentionOf, countOf, dropItem, firstToSend, putAnswer, refuseItem, resultsByKey, settleAnswers, summarize, VOICES,
} from "../../checklist/static/js/records.js";

const PAGE = { visit: "7", domain: "play", url: "http://x/visits/7/domains/play", saveUrl: "http://x/visits/7/domains/play/answers", title: "Spelen" };
const entry = (value, rev = "") => ({ fields: { value_play__space: value }, rev, revField: "rev_play__space", at: 1 });

test("a typed answer waits in its page's record, queued only when asked", () => {
  const typed = putAnswer(undefined, PAGE, "play__space", entry("meets"), false, 10);
  assert.equal(typed.kind, ANSWERS);
  assert.equal(typed.queued, false);
  assert.equal(countOf(typed), 1);
  const queued = putAnswer(typed, PAGE, "play__outdoor", { fields: { value_play__outdoor: "yes" }, rev: "" }, true, 11);
  assert.equal(queued.queued, true);
  assert.equal(countOf(queued), 2);
  assert.equal(countOf(typed), 1, "the record given is not changed");
});

test("saved as sent leaves the record; changed meanwhile stays, from the new version", () => {
  const record = putAnswer(putAnswer(undefined, PAGE, "play__space", entry("meets"), true, 1), PAGE, "play__outdoor", { fields: { value_play__outdoor: "yes" }, rev: "" }, true, 2);
  const sent = JSON.parse(JSON.stringify(record.criteria));
  const meanwhile = putAnswer(record, PAGE, "play__outdoor", { fields: { value_play__outdoor: "no" }, rev: "" }, true, 3);
  const results = resultsByKey({ criteria: { "play.space": { key: "play__space", status: "saved", version: "v2" }, "play.outdoor": { key: "play__outdoor", status: "saved", version: "v9" } } });
  const left = settleAnswers(meanwhile, sent, results);
  assert.deepEqual(Object.keys(left.criteria), ["play__outdoor"]);
  assert.equal(left.criteria.play__outdoor.rev, "v9");
  assert.equal(left.criteria.play__outdoor.fields.value_play__outdoor, "no");
  assert.equal(settleAnswers(record, sent, results), null, "nothing left: no record");
});

test("a conflict keeps the answer and asks for the visitor's attention", () => {
  const record = putAnswer(undefined, PAGE, "play__space", entry("fails", "v1"), true, 1);
  const left = settleAnswers(record, JSON.parse(JSON.stringify(record.criteria)), resultsByKey({ criteria: { "play.space": { key: "play__space", status: "conflict", version: "v3" } } }));
  assert.equal(left.conflict, true);
  assert.equal(left.criteria.play__space.fields.value_play__space, "fails");
  assert.deepEqual(attentionOf(left), [{ url: PAGE.url, kind: "conflict" }]);
});

test("a refused item stays with its reason, is not counted as waiting and is not sent again", () => {
  const base = { kind: VOICES, visit: "7", url: "http://x/visits/7/children" };
  let record = addItem(undefined, base, { key: "a", fields: { text: "een" } });
  record = addItem(record, base, { key: "b", fields: { text: "twee" } });
  record = refuseItem(record, "a", "te lang");
  assert.equal(countOf(record), 1);
  assert.equal(firstToSend(record).key, "b");
  assert.deepEqual(summarize([record]), { count: 1, attention: [{ url: base.url, kind: "voice" }] });
  assert.equal(dropItem(dropItem(record, "a"), "b"), null);
});

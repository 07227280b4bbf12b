// checklist/static/js/state.js and coverage.js: the one count of the server's part and the device's.
import { test } from "node:test";
import assert from "node:assert/strict";

import { progress } from "../../checklist/static/js/state.js";
import { formatCoverage, lowCoverage } from "../../checklist/static/js/coverage.js";
import { putAnswer } from "../../checklist/static/js/records.js";

const STATE = {
  visit: "7",
  continue: "play",
  voices: 1,
  photos: 0,
  wire: { value: "value", number: "number" },
  notAssessable: ["na"],
  notScored: ["unknown"],
  lowCoverage: 0.5,
  domains: [
    { id: "play", title: "Spelen", url: "/visits/7/domains/play", criteria: [["play__space", "scored"], ["play__outdoor", null]] },
    { id: "safety", title: "Veiligheid", url: "/visits/7/domains/safety", criteria: [["safety__fire", null], ["safety__moves", null]] },
  ],
};
const page = (domain) => ({ visit: "7", domain, url: "/visits/7/domains/" + domain, saveUrl: "/s" });
const answer = (record, domain, key, fields, at) => putAnswer(record, page(domain), key, { fields, rev: "" }, false, at);

test("without the device, the server's counts", () => {
  const p = progress(STATE, []);
  assert.equal(p.answered, 1);
  assert.equal(p.applicable, 4);
  assert.equal(p.continueDomain, "play");
  assert.deepEqual(p.unanswered.map((u) => u.key), ["play__outdoor", "safety__fire", "safety__moves"]);
  assert.equal(p.voices, 1);
});

test("an answer waiting on the device counts where it belongs, and says it is on the device", () => {
  const play = answer(undefined, "play", "play__outdoor", { value_play__outdoor: "na" }, 5);
  const safety = answer(undefined, "safety", "safety__moves", { value_safety__moves: "", number_safety__moves: "3" }, 9);
  const p = progress(STATE, [play, safety]);
  const [d1, d2] = p.domains;
  assert.deepEqual([d1.answered, d1.onDevice, d1.complete], [2, 1, true]);
  assert.deepEqual([d2.answered, d2.onDevice, d2.scored], [1, 1, 1], "a number alone is a scored answer");
  assert.equal(p.assessable, 3, "not applicable leaves the assessable count");
  assert.equal(p.scored, 2);
  assert.equal(p.continueDomain, "safety", "where the visitor last typed");
  assert.equal(p.waiting.answers, 2);
});

test("an answer cleared on the device is unanswered again, whatever the server had", () => {
  const cleared = answer(undefined, "play", "play__space", { value_play__space: "" }, 5);
  const p = progress(STATE, [cleared]);
  assert.equal(p.domains[0].answered, 0);
});

test("records of another visit are not counted", () => {
  const other = putAnswer(undefined, { ...page("play"), visit: "8" }, "play__outdoor", { fields: { value_play__outdoor: "yes" }, rev: "" }, false, 1);
  assert.equal(progress(STATE, [other]).answered, 1);
});

test("coverage in words rounds half to even as the server does", () => {
  assert.equal(formatCoverage(1, 8), "1/8 (12%)");
  assert.equal(formatCoverage(3, 8), "3/8 (38%)");
  assert.equal(formatCoverage(0, 0), "–");
  assert.equal(lowCoverage(1, 4, 0.5), true);
  assert.equal(lowCoverage(2, 4, 0.5), false);
  assert.equal(lowCoverage(0, 0, 0.5), true);
  assert.equal(lowCoverage(0, 4, 0), false);
});

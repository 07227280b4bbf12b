import { test } from "node:test";
import assert from "node:assert/strict";
import { bandFor, typedNumber } from "../../checklist/static/js/bands.js";

const WEEKS = [
  { from: 0, to: 9, answer: "meets", label: "Voldoet" },
  { from: 9, to: 13, answer: "partly", label: "Deels" },
  { from: 13, to: null, answer: "fails", label: "Voldoet niet" },
];

test("a boundary belongs to the band it starts: 9 is partly, 13 fails", () => {
  assert.equal(bandFor(WEEKS, 8.99).answer, "meets");
  assert.equal(bandFor(WEEKS, 9).answer, "partly");
  assert.equal(bandFor(WEEKS, 12.5).answer, "partly");
  assert.equal(bandFor(WEEKS, 13).answer, "fails");
  assert.equal(bandFor(WEEKS, 400).answer, "fails");
});

test("no number, or below every band, scores as nothing", () => {
  assert.equal(bandFor(WEEKS, null), null);
  assert.equal(bandFor(WEEKS, ""), null);
  assert.equal(bandFor(WEEKS, -1), null);
  assert.equal(bandFor(WEEKS, NaN), null);
});

test("what a visitor types: a decimal comma or point, nothing else", () => {
  assert.equal(typedNumber("2,5"), 2.5);
  assert.equal(typedNumber(" 13 "), 13);
  assert.equal(typedNumber(""), null);
  assert.equal(typedNumber("12 weken"), null);
  assert.equal(typedNumber("1e3"), null);
});

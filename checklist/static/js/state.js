// Where a visit stands on this device: what the server has (the page's `visit-state`, made
// by the server from its own scoring rules) together with what waits in the outbox. The
// one place that counts; the visit page, the domain picker, "continue where you stopped",
// the review's coverage and unanswered list, the statements, the app shell and the sync
// line all show what this returns, and say which part is on the device.
//
// state: {visit, domains: [{id, title, url, criteria: [[key, category]]}], continue,
//         voices, photos, wire: {value, number}, notAssessable: [...], notScored: [...]}
// category: "scored" | "unknown" (assessable, not scored) | "na" (not applicable) | null (unanswered)
import { ANSWERS, PHOTOS, VOICES, countOf } from "./records.js";

// The category of an answer as the device holds it (all fields of one criterion).
export function categoryOf(fields, key, state) {
  const value = fields[state.wire.value + "_" + key];
  const number = fields[state.wire.number + "_" + key];
  if (value && state.notAssessable.includes(value)) return "na";
  if (value && state.notScored.includes(value)) return "unknown";
  if (value) return "scored";
  if (number !== undefined && number !== null && String(number).trim() !== "") return "scored";
  return null;
}

// `records`: this visit's records (decrypted) from the outbox.
export function progress(state, records) {
  const visit = String(state.visit);
  const mine = records.filter((r) => String(r.visit) === visit);
  const onDevice = new Map(); // key -> {category, domain}
  let latest = null;
  for (const record of mine) {
    if (record.kind !== ANSWERS) continue;
    for (const key of Object.keys(record.criteria)) {
      onDevice.set(key, { category: categoryOf(record.criteria[key].fields, key, state), domain: record.domain });
    }
    if (Object.keys(record.criteria).length && (!latest || record.savedAt > latest.savedAt)) latest = record;
  }
  const totals = { applicable: 0, answered: 0, scored: 0, assessable: 0, onDevice: 0 };
  const unanswered = [];
  const domains = state.domains.map((domain) => {
    const counts = { applicable: 0, answered: 0, scored: 0, assessable: 0, onDevice: 0 };
    for (const [key, serverCategory] of domain.criteria) {
      const device = onDevice.get(key);
      const category = device ? device.category : serverCategory;
      counts.applicable += 1;
      if (device) counts.onDevice += 1;
      if (category !== null) counts.answered += 1;
      else unanswered.push({ key, domain: domain.id });
      if (category === "scored") counts.scored += 1;
      if (category !== "na") counts.assessable += 1;
    }
    Object.keys(totals).forEach((name) => { totals[name] += counts[name]; });
    return { id: domain.id, title: domain.title, url: domain.url, ...counts, complete: counts.answered === counts.applicable };
  });
  const waiting = { answers: 0, voices: 0, photos: 0 };
  for (const record of mine) {
    if (record.kind === ANSWERS) waiting.answers += countOf(record);
    if (record.kind === VOICES) waiting.voices += countOf(record);
    if (record.kind === PHOTOS) waiting.photos += countOf(record);
  }
  const known = new Set(domains.map((d) => d.id));
  const continueDomain = latest && known.has(latest.domain) ? latest.domain : state.continue;
  return {
    visit,
    domains,
    ...totals,
    unanswered,
    waiting,
    waitingTotal: waiting.answers + waiting.voices + waiting.photos,
    voices: (state.voices || 0) + waiting.voices,
    continueDomain,
  };
}

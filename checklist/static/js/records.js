// What waits on the device, as plain values: the rules for putting a change in, taking the
// server's answer out, and counting what is left. No storage, no page: outbox.js keeps
// these records (encrypted) and the pages and the service worker use these rules.
//
// Three kinds of record, one per visit and place:
//   answers  visit:<id>:domain:<domain>  {kind, visit, domain, title, url, saveUrl, queued,
//            savedAt, conflict, criteria: {<key>: {fields: {<field>: value}, rev, at}}}
//   voices   visit:<id>:voices           {kind, visit, url, postUrl, reviewUrl, items: [{key, fields, at, error?}]}
//   photos   visit:<id>:photos           {kind, visit, items: [{key, criterion, ckey, url, postUrl, blob, type, name, at, error?}]}
// An item the server refused keeps its reason in `error` until the visitor lets it go.

export const ANSWERS = "answers";
export const VOICES = "voices";
export const PHOTOS = "photos";

export function answersId(visit, domain) { return "visit:" + visit + ":domain:" + domain; }
export function voicesId(visit) { return "visit:" + visit + ":voices"; }
export function photosId(visit) { return "visit:" + visit + ":photos"; }

export function sameFields(a, b) {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((n) => a[n] === b[n]);
}

// -- answers ------------------------------------------------------------------------------

export function newAnswers(page) {
  return { kind: ANSWERS, visit: String(page.visit), domain: page.domain, title: page.title || "", url: page.url, saveUrl: page.saveUrl, criteria: {}, queued: false, savedAt: 0, conflict: false };
}

// A criterion as typed now; with `queue`, to be sent without waiting for the page's Save.
export function putAnswer(record, page, key, entry, queue, now) {
  const next = record && record.kind === ANSWERS ? copy(record) : newAnswers(page);
  next.criteria[key] = entry;
  next.url = page.url;
  next.saveUrl = page.saveUrl;
  next.title = page.title || next.title;
  next.savedAt = now;
  if (queue) next.queued = true;
  return next;
}

// The server's answer to a save of `sent` (the criteria as they were sent): a criterion
// saved (or unchanged) as sent leaves the record; one changed again meanwhile stays and
// starts from the new version; a conflict marks the record so its page shows both
// versions. `results` are keyed by criterion key. Null when nothing is left.
export function settleAnswers(record, sent, results) {
  if (!record) return null;
  const next = copy(record);
  let conflict = false;
  for (const key of Object.keys(sent)) {
    const mine = next.criteria[key];
    const result = results[key];
    if (result && result.status === "conflict") conflict = true;
    if (!mine || !result || (result.status !== "saved" && result.status !== "unchanged")) continue;
    if (sameFields(mine.fields, sent[key].fields)) delete next.criteria[key];
    else if (result.status === "saved") mine.rev = result.version;
  }
  next.queued = false;
  next.conflict = conflict;
  return Object.keys(next.criteria).length ? next : null;
}

// Server results keyed by criterion id, as keys of the page's fields (the server says each key).
export function resultsByKey(body) {
  const byKey = {};
  const criteria = (body && body.criteria) || {};
  for (const id of Object.keys(criteria)) byKey[criteria[id].key || id] = criteria[id];
  return byKey;
}

// -- items: statements and photos ---------------------------------------------------------

export function addItem(record, base, item) {
  const next = record && record.kind === base.kind ? copy(record) : { ...base, items: [] };
  next.items = next.items.concat([item]);
  return next;
}

export function dropItem(record, key) {
  if (!record) return null;
  const next = copy(record);
  next.items = next.items.filter((i) => i.key !== key);
  return next.items.length ? next : null;
}

export function refuseItem(record, key, reason) {
  if (!record) return null;
  const next = copy(record);
  next.items.forEach((i) => { if (i.key === key) i.error = reason; });
  return next;
}

export function firstToSend(record) {
  return record && record.items ? record.items.find((i) => !i.error) || null : null;
}

// -- counting -------------------------------------------------------------------------------

// What of a record still waits to be sent: criteria of a page, items not refused.
export function countOf(record) {
  if (!record) return 0;
  if (record.kind === ANSWERS) return Object.keys(record.criteria).length;
  return (record.items || []).filter((i) => !i.error).length;
}

// What needs the visitor: a conflict to look at, items the server refused. [{url, kind}]
export function attentionOf(record) {
  if (!record) return [];
  if (record.kind === ANSWERS) return record.conflict && record.url ? [{ url: record.url, kind: "conflict" }] : [];
  const kind = record.kind === PHOTOS ? "photo" : "voice";
  return (record.items || []).filter((i) => i.error).map((i) => ({ url: i.url || record.url, kind }));
}

// Over many records (of one visit, or all of a user's): how many wait, and what needs attention.
export function summarize(records) {
  let count = 0;
  const attention = [];
  for (const record of records) {
    count += countOf(record);
    attention.push(...attentionOf(record));
  }
  return { count, attention };
}

function copy(value) {
  // Photos carry no bytes in the record (outbox.js keeps them apart), so JSON is a full copy.
  return JSON.parse(JSON.stringify(value));
}

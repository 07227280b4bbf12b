// What the app's earlier version left on a device (in clear, under "checklist:v2:", tied to
// the header's "name · organisation"): moved into the owner's encrypted outbox the first
// time that person signs in with this version, and removed from where it was. Another
// user's copies stay until their owner comes.
import { addItem, answersId, newAnswers, photosId, voicesId, ANSWERS, PHOTOS, VOICES } from "./records.js";
import { report } from "./report.js";

const OLD = "checklist:v2:";

function revFieldOf(key) { return "rev_" + key; }

export async function moveLegacy(kv, outbox, who) {
  if (!who) return 0;
  let moved = 0;
  for (const [key, record] of await kv.entries()) {
    if (typeof key !== "string" || !key.startsWith(OLD + "visit:") || !record || (record.who || "") !== who) continue;
    try {
      if (record.criteria) await moveAnswers(outbox, record);
      else if (record.kind === "voices") await moveItems(outbox, voicesId(record.visit), { kind: VOICES, visit: String(record.visit), url: record.url, postUrl: record.postUrl, reviewUrl: record.reviewUrl }, record.items);
      else if (record.kind === "photos") await movePhotos(outbox, record);
      await kv.del(key);
      moved += 1;
    } catch (error) {
      report("an earlier version's record could not be moved: " + key, error);
    }
  }
  return moved;
}

async function moveAnswers(outbox, old) {
  const page = { visit: String(old.visit), domain: old.domain, url: old.url, saveUrl: old.saveUrl, title: old.title };
  await outbox.update(answersId(old.visit, old.domain), (record) => {
    const next = record && record.kind === ANSWERS ? record : newAnswers(page);
    for (const key of Object.keys(old.criteria)) {
      const c = old.criteria[key];
      next.criteria[key] = { fields: c.fields, rev: c.rev || "", revField: revFieldOf(key), at: c.at || Date.now() };
    }
    next.queued = next.queued || !!old.queued;
    next.savedAt = Math.max(next.savedAt || 0, old.savedAt || 0);
    return next;
  });
}

async function moveItems(outbox, id, base, items) {
  await outbox.update(id, (record) => {
    let next = record;
    for (const item of items || []) next = addItem(next, base, item);
    return next || null;
  });
}

async function movePhotos(outbox, old) {
  const items = [];
  for (const item of old.items || []) {
    if (item.blob) await outbox.putBlob(item.key, item.blob);
    const { blob, ...rest } = item;
    items.push(rest);
  }
  await moveItems(outbox, photosId(old.visit), { kind: PHOTOS, visit: String(old.visit) }, items);
}

// The earlier version's localStorage journal: moved like the records.
export function legacyJournal(who) {
  const found = [];
  try {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (!key || !key.startsWith(OLD + "visit:")) continue;
      const record = JSON.parse(localStorage.getItem(key) || "null");
      if (record && record.criteria && (record.who || "") === who) found.push({ key, record });
    }
  } catch (error) {
    report("the earlier version's journal could not be read", error);
  }
  return found;
}

export async function moveLegacyJournal(outbox, who) {
  for (const { key, record } of legacyJournal(who)) {
    await moveAnswers(outbox, record);
    localStorage.removeItem(key);
  }
}

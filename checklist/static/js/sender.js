// Sending what waits, the same way whoever sends it (a page, or the service worker's
// Background Sync): the app's own save protocol with the versions the visitor started from
// (see save_protocol.py), one record at a time.
//
// Only the owner's items are sent, and each request says whose they are
// (`X-Checklist-Owner`): the server refuses an item whose owner is not the signed-in user
// (`not_owner`), and the device keeps it for its owner. A session that ended (401) stops the
// sending too; what is left waits for the owner's next sign-in.
import { ANSWERS, PHOTOS, VOICES, firstToSend, dropItem, refuseItem, resultsByKey, settleAnswers } from "./records.js";
import { report } from "./report.js";

export const OWNER_HEADER = "X-Checklist-Owner";

// `outbox`: the owner's (outbox.js). `refresh(urls)`: keep the stored pages of a visit taken
// offline up to date after a save changed them. `fetcher`: fetch (a test gives its own).
export function makeSender({ outbox, refresh = async () => null, fetcher = (...a) => fetch(...a) }) {
  const owner = outbox.uid;

  // {status, body}, or null when the server was not reached, asked to wait, or did not answer with JSON.
  async function post(url, data) {
    let response;
    try {
      response = await fetcher(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json", [OWNER_HEADER]: owner } });
    } catch (error) {
      return null; // no connection: not an error to report
    }
    if (response.status === 429) return null; // the server asks to wait (a fair limit): sent again later, never refused
    try {
      return { status: response.status, body: await response.json() };
    } catch (error) {
      report("the server's answer to " + url + " was not JSON (status " + response.status + ")", error);
      return null;
    }
  }

  async function token() {
    return (await outbox.meta()).token || "";
  }

  async function remember(body) {
    const patch = {};
    if (body && body.csrf_token) patch.token = body.csrf_token;
    if (body && body.outcome === "saved") patch.lastSaved = Date.now();
    if (Object.keys(patch).length) await outbox.setMeta(patch);
  }

  function stopped(result) {
    if (result.status === 401) return { reached: true, signedOut: true };
    if (result.status === 403 && result.body && result.body.outcome === "not_owner") return { reached: true, notOwner: true };
    return null;
  }

  function answersBody(criteria, csrf, go) {
    const data = new FormData();
    data.append("csrf_token", csrf);
    for (const key of Object.keys(criteria)) {
      const c = criteria[key];
      for (const name of Object.keys(c.fields)) data.append(name, c.fields[name]);
      data.append(c.revField, c.rev || "");
    }
    if (go) data.append("go", go);
    return data;
  }

  // One page of answers. Resolves to {reached, signedOut, notOwner, status, body, results, sent}.
  async function sendAnswers(id, go = "", attempt = 0) {
    const record = await outbox.get(id);
    if (!record || !Object.keys(record.criteria).length) return { reached: true, body: { outcome: "saved" }, results: {}, sent: {} };
    const sent = JSON.parse(JSON.stringify(record.criteria));
    const result = await post(record.saveUrl, answersBody(sent, await token(), go));
    if (!result) return { reached: false };
    const body = result.body || {};
    await remember(body);
    if (body.outcome === "expired" && !attempt) return sendAnswers(id, go, 1); // a fresh token came with the answer
    const stop = stopped(result);
    if (stop) return { ...stop, status: result.status, body, results: {}, sent };
    const results = resultsByKey(body);
    await outbox.update(id, (stored) => settleAnswers(stored, sent, results));
    if (record.url) await refresh([record.url]);
    return { reached: true, status: result.status, body, results, sent };
  }

  function itemForm(record, item) {
    if (record.kind === VOICES) return { url: record.postUrl, fields: Object.entries(item.fields).filter(([name]) => name !== "domain_label") };
    return { url: item.postUrl, fields: [["no_person", "1"]], photo: item };
  }

  // The items of one record, one by one; each carries its own key, so one the server already
  // has is not stored twice. An item the server refuses stays with the reason.
  async function sendItems(id, attempt = 0, delivered = 0) {
    const record = await outbox.get(id);
    const item = firstToSend(record);
    if (!item) return { reached: true, delivered };
    const request = itemForm(record, item);
    const data = new FormData();
    data.append("csrf_token", await token());
    data.append("client_key", item.key);
    request.fields.forEach(([name, value]) => data.append(name, value));
    if (request.photo) {
      const blob = await outbox.getBlob(item.key);
      if (!blob) {
        await outbox.update(id, (stored) => dropItem(stored, item.key));
        report("a waiting photo had no bytes on the device and was let go", null);
        return sendItems(id, 0, delivered);
      }
      data.append("photo", blob, item.name || "photo.jpg");
    }
    const result = await post(request.url, data);
    if (!result) return { reached: false };
    const body = result.body || {};
    await remember(body);
    if (body.outcome === "expired" && !attempt) return sendItems(id, 1, delivered);
    const stop = stopped(result) || (body.outcome === "expired" ? { reached: true, signedOut: true } : null);
    if (stop) return stop;
    if (body.outcome === "saved") {
      await outbox.update(id, (stored) => dropItem(stored, item.key));
      if (record.kind === PHOTOS) await outbox.dropBlob(item.key);
      await refresh([item.url || record.url, record.reviewUrl].filter(Boolean));
      delivered += 1;
    } else {
      const reason = body.message || (body.errors || []).join(" ") || String(result.status);
      await outbox.update(id, (stored) => refuseItem(stored, item.key, reason));
    }
    return sendItems(id, 0, delivered);
  }

  // Everything of the owner that waits, except the page `exceptId` (which sends its own);
  // answers typed on a page whose Save was not pressed only with `everything` (before
  // signing out or submitting). Resolves to {reached, signedOut, notOwner, sent: [visit ids]}.
  let running = null;
  function flushAll({ exceptId = null, everything = false } = {}) {
    if (running) return running;
    running = (async () => {
      const sentVisits = new Set();
      for (const { id, record } of await outbox.list()) {
        if (id === exceptId) continue;
        if (record.kind === ANSWERS && !record.queued && !everything) continue; // typed, Save not pressed: its page sends it
        const result = record.kind === ANSWERS ? await sendAnswers(id) : await sendItems(id);
        if (!result.reached || result.signedOut || result.notOwner) return { ...result, sent: Array.from(sentVisits) };
        // a visit counts as sent when the server took something of it (a refusal changes nothing there)
        const took = record.kind === ANSWERS ? Object.values(result.results || {}).some((r) => r.status === "saved") : result.delivered > 0;
        if (took) sentVisits.add(String(record.visit));
      }
      return { reached: true, sent: Array.from(sentVisits) };
    })().finally(() => { running = null; });
    return running;
  }

  return { post, answersBody, sendAnswers, sendItems, flushAll, token };
}

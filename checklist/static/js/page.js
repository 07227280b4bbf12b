// Every page's script: small progressive enhancements; every page works without it.
//
// It reads who the page is for (the page's `checklist-context`, written by the server),
// unlocks that user's work on this device (unlock.js) and locks anyone else's, completes a
// sign-out made offline before anything else, and starts what the page has: a checklist
// form, statements, photos, the visit page's offline panel, the review, the counts, the sync
// line, the sign-out guard, the sign-in page or the app shell. Then it sends what waits.
import { KEYS, deviceStore } from "./kv.js";
import { expiredUnlockCookie, readUnlockCookie, unlockCookie, fromBase64Url, toBase64Url } from "./vault.js";
import { lockAll, unlockForUser, unlockedNow } from "./unlock.js";
import { openOutbox } from "./outbox.js";
import { offlinePages } from "./offline-pages.js";
import { makeSender } from "./sender.js";
import { putAnswer } from "./records.js";
import * as journal from "./journal.js";
import { moveLegacy, moveLegacyJournal } from "./legacy.js";
import { report } from "./report.js";
import { checklistPage, restoreFocus } from "./ui/checklist-page.js";
import { statementsPage } from "./ui/statements.js";
import { photoForms } from "./ui/photos.js";
import { offlinePanel } from "./ui/visit-page.js";
import { reviewPage } from "./ui/review.js";
import { readState, showProgress } from "./ui/progress.js";
import { syncLines } from "./ui/sync-line.js";
import { guardSignOut } from "./ui/sign-out.js";
import { loginPage } from "./ui/login.js";
import { shellPage } from "./ui/shell.js";
import { liveBands } from "./ui/bands.js";

const SYNC_TAG = "checklist-outbox";
const REACH_MS = 4000;

function readContext() {
  const meta = document.querySelector("meta[name=checklist-context]");
  try {
    return meta ? JSON.parse(meta.content) : {};
  } catch (error) {
    report("the page's context could not be read", error);
    return {};
  }
}

function makeEnv(kv, context) {
  const secure = location.protocol === "https:";
  return {
    kv,
    readCookie: () => readUnlockCookie(document.cookie),
    writeCookie: (uid, secret, minutes) => { document.cookie = unlockCookie(uid, secret, minutes, secure); },
    clearCookie: () => { document.cookie = expiredUnlockCookie(secure); },
    online: () => navigator.onLine !== false,
    hasRecords: async (uid) => (await kv.keys()).some((k) => typeof k === "string" && k.startsWith(KEYS.record(uid, ""))),
    serverKey: async (vaultId) => {
      try {
        const response = await fetch(context.urls.deviceKey + "?vault=" + encodeURIComponent(vaultId), { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return null;
        return fromBase64Url((await response.json()).key);
      } catch (error) {
        return null; // offline: the cookie or the password unlocks
      }
    },
  };
}

async function start() {
  restoreFocus(document.getElementById("checklist-form"));
  liveBands(); // needs nothing of the device: a count says what it scores as, locked or not
  const context = readContext();
  const kv = deviceStore();
  const env = makeEnv(kv, context);
  const hasWorker = "serviceWorker" in navigator;
  const metaToken = document.querySelector("meta[name=csrf-token]");
  const storedCopy = !!metaToken && metaToken.content === context.placeholderToken; // a page from the device
  const listeners = [];
  const urls = context.urls || {};
  let signedOut = false;

  // A sign-out made offline is completed first of all, before anything else is sent.
  const pendingSignOut = await kv.get(KEYS.signOut);
  if (pendingSignOut && navigator.onLine !== false) {
    try {
      const data = new FormData();
      data.append("csrf_token", pendingSignOut.token || "");
      await fetch(urls.logout, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" });
      await kv.del(KEYS.signOut);
      if (context.user) { location.reload(); return; }
    } catch (error) {
      report("the sign-out made offline could not be completed yet", error);
    }
  }
  await kv.set(KEYS.lang, context.lang || "nl");

  const worker = (message) => {
    if (hasWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage(message);
  };
  // Registered once the page has loaded: the files it installs for offline use are then in
  // the browser's cache already, so a first visit on a slow line does not move them twice.
  const loaded = document.readyState === "complete" ? Promise.resolve() : new Promise((resolve) => addEventListener("load", resolve, { once: true }));
  const registration = hasWorker
    // "imports": the worker script itself is always asked for (the server sends it no-store, and
    // a new version names new files); the modules it imports have their version in their names
    // and are immutable, so the browser's cache answers for them at every update check.
    ? loaded.then(() => navigator.serviceWorker.register(urls.worker, { type: "module", updateViaCache: "imports" })).catch((error) => { report("no service worker: this browser works online only", error); return null; })
    : Promise.resolve(null);

  let session = null;
  let locked = false;
  if (context.page === "login") {
    await lockAll(env);
    worker({ type: "lock" });
  } else if (context.page === "shell") {
    session = await unlockedNow(env);
  } else if (context.user) {
    const opened = await unlockForUser(env, context.user);
    if (opened.locked) locked = true;
    else session = opened;
  } else if (context.page !== "sign-in-step") {
    await lockAll(env);
    worker({ type: "lock" });
  }

  const outbox = session ? openOutbox(kv, session) : null;
  const pages = session ? offlinePages(kv, session) : null;
  const sender = outbox ? makeSender({ outbox, refresh: (list) => pages.refresh(list) }) : null;

  const giveWorker = async (s) => {
    const reg = await registration;
    const target = (navigator.serviceWorker && navigator.serviceWorker.controller) || (reg && reg.active);
    if (target) target.postMessage({ type: "unlocked", uid: s.uid, dek: toBase64Url(s.dek) });
  };
  if (session) giveWorker(session);

  const ctx = {
    kv, env, outbox, pages, sender, session, hasWorker, storedCopy, urls,
    lang: context.lang, unlockMinutes: context.unlockMinutes || 120,
    offline: () => navigator.onLine === false,
    csrf: () => (metaToken && !storedCopy ? metaToken.content : ctx.token || ""),
    token: "",
    setCsrf(token) {
      if (!token) return;
      ctx.token = token;
      if (metaToken) metaToken.content = token;
      document.querySelectorAll("input[name=csrf_token]").forEach((el) => { el.value = token; });
      if (outbox) outbox.setMeta({ token });
    },
    markSaved: () => (outbox ? outbox.setMeta({ lastSaved: Date.now() }) : null),
    refreshStored: (list) => (pages ? pages.refresh(list) : null),
    onChange: (fn) => listeners.push(fn),
    changed: () => listeners.forEach((fn) => Promise.resolve().then(fn).catch((error) => report("a view of the device's state failed", error))),
    askForSync: () => registration.then((reg) => (reg && reg.sync ? reg.sync.register(SYNC_TAG) : null)).catch((error) => report("Background Sync refused", error)),
    sessionEnded: () => { signedOut = true; if (outbox) kv.set(KEYS.signedOut(outbox.uid), Date.now()); ctx.changed(); },
    sessionHasEnded: () => signedOut,
    lock: async () => { await lockAll(env); worker({ type: "lock" }); },
    workerReady: async () => { await registration; await navigator.serviceWorker.ready; if (session) await giveWorker(session); },
    workerHasKey: async () => { if (session) await giveWorker(session); await new Promise((r) => setTimeout(r, 50)); },
    giveWorker,
    reachable: async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), REACH_MS);
      try {
        return (await fetch(urls.health, { cache: "no-store", signal: controller.signal })).ok;
      } catch (error) {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  if (outbox) {
    if (metaToken && !storedCopy) ctx.setCsrf(metaToken.content);
    else ctx.setCsrf((await outbox.meta()).token);
    signedOut = !storedCopy && context.user ? false : !!(await kv.get(KEYS.signedOut(outbox.uid)));
    if (!storedCopy && context.user) await kv.del(KEYS.signedOut(outbox.uid));
    await moveLegacy(kv, outbox, context.legacyWho);
    await moveLegacyJournal(outbox, context.legacyWho);
    for (const left of journal.leftOver(outbox.uid)) { // a tab closed a moment after a tap
      await outbox.update(left.id, (record) => Object.keys(left.criteria).reduce((r, key) => putAnswer(r, left.page, key, left.criteria[key], false, Date.now()), record));
      journal.remove(left.storageKey);
    }
  }
  if (locked) document.querySelectorAll(".device-locked").forEach((el) => { el.hidden = false; });

  // Sending what waits, from the first moment a page's button may ask for it (the review's
  // submit, the sign-out): `quiet` for a caller that leaves the page itself, so the page is not
  // reloaded under it when what was sent changes the server's figures.
  let checklist = null;
  let state = null;
  let counts = null;
  const mayFlush = () => outbox && context.user && String(context.user.id) === outbox.uid && !ctx.offline();
  ctx.flush = async (options = {}) => {
    if (!mayFlush()) return null;
    const { quiet = false, ...sending } = options;
    const result = await sender.flushAll({ exceptId: checklist ? checklist.id : null, ...sending });
    if (result.signedOut) ctx.sessionEnded();
    ctx.changed();
    if (!quiet && state && result.sent && result.sent.includes(String(state.visit))) await afterSent(state, counts);
    return result;
  };

  const form = document.getElementById("checklist-form");
  checklist = outbox && form && form.dataset.visit && form.dataset.domain ? checklistPage(ctx, form) : null;
  state = readState();
  counts = state && outbox ? showProgress(ctx, state) : null;
  const render = syncLines(ctx);
  guardSignOut(ctx);
  if (checklist) await checklist.restore();
  if (outbox && form && form.dataset.visit) await photoForms(ctx, form.dataset.visit);
  const voices = document.getElementById("voice-form");
  if (outbox && voices) await statementsPage(ctx, voices);
  await offlinePanel(ctx);
  await reviewPage(ctx);
  const login = context.page === "login" && document.querySelector("form.sign-in");
  if (login) await loginPage(ctx, login);
  if (context.page === "shell") await shellPage(ctx);
  if (counts) await counts.render();
  await render();
  document.documentElement.setAttribute("data-outbox", "ready"); // what the device kept is on the page

  // Send what waits: now, when the connection is back, and when the service worker did.
  window.addEventListener("online", () => { ctx.flush().catch((error) => report("sending what waits failed", error)); });
  if (hasWorker) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "outbox") ctx.changed();
    });
  }
  await ctx.flush().catch((error) => report("sending what waits failed", error));
}

// What waited for this visit reached the server: the server's own figures (scores, chart,
// statements) are now the ones to show. A page with nothing typed on it is loaded again;
// the checklist page takes the server's new counts instead, keeping what is typed.
async function afterSent(state, counts) {
  const typed = Array.from(document.querySelectorAll("#voice-form textarea, #voice-form input[type=text]")).some((el) => el.value.trim());
  if (document.getElementById("checklist-form")) {
    try {
      const response = await fetch(state.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok && counts) await counts.update(await response.json());
    } catch (error) {
      report("the visit's new counts could not be fetched", error);
    }
    return;
  }
  if (!typed) location.reload();
}

start().catch((error) => {
  report("the page's script stopped", error);
  document.documentElement.setAttribute("data-outbox", "ready");
});

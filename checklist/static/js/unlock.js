// When a user's work on this device is unlocked, and when it is locked again.
//
// A page that says who is signed in (the server wrote it: `user` in the page's context)
// unlocks that user's work: from the unlock cookie while it lives, else with the server's
// key for them (online), else not (offline after the browser closed: the password unlocks
// it, `unlockWithPassword`). Any other user's work is locked first: one user's work is open
// on a device at a time. The sign-in page locks everything; the password typed there is
// turned into a key (`rememberPassword`) that the first signed-in page binds to the user's
// vault, so that the same password unlocks it offline later.
//
// `env` gives what differs between a page, the service worker and a test:
//   kv, readCookie() -> {uid, secret} | null, writeCookie(uid, secret, minutes), clearCookie(),
//   serverKey(vaultId) -> bytes | null (null offline or signed out), online() -> bool,
//   hasRecords(uid) -> bool
import { KEYS, entriesUnder, PREFIX } from "./kv.js";
import {
  aesKey, newVault, openWithPassword, openWithServerKey, passwordBits, randomBytes, seal, unseal,
  wrapWithPasswordBits, wrapWithServerKey, ITERATIONS, lookupOf,
} from "./vault.js";
import { report } from "./report.js";

const PENDING = "pending"; // the unlock cookie's owner between the sign-in form and the first page
const SIGN_IN_MINUTES = 15;

// {uid, dek, key} for the user of this page, or {locked: true} when only the password can
// open their work now.
export async function unlockForUser(env, user) {
  const uid = String(user.id);
  let cookie = env.readCookie();
  if (cookie && cookie.uid !== uid && cookie.uid !== PENDING) {
    await lockAll(env);
    cookie = null;
  }
  let vault = await env.kv.get(KEYS.vault(uid));
  let dek = cookie && cookie.uid === uid ? await fromUnlocked(env, uid, cookie.secret) : null;
  let serverKey = null;
  if (!dek && vault && env.online()) {
    serverKey = await env.serverKey(vault.id);
    dek = serverKey ? await openWithServerKey(vault, serverKey) : null;
    if (!dek && serverKey && !(await env.hasRecords(uid))) vault = null; // nothing in it to keep: start again
  }
  if (!vault) ({ vault, dek } = newVault(uid, user.lookup));
  if (!dek) return { locked: true };
  if (!vault.byServer && env.online()) {
    serverKey = serverKey || (await env.serverKey(vault.id));
    if (serverKey) vault = await wrapWithServerKey(vault, dek, serverKey);
  }
  vault = await bindPassword(env, vault, dek, user.lookup, cookie);
  await env.kv.set(KEYS.vault(uid), vault);
  return open(env, uid, dek, cookie && cookie.secret, user.unlockMinutes);
}

// After the password opened the vault (offline, or on the sign-in form).
export async function unlockWithPassword(env, email, password, minutes) {
  const vault = await vaultOf(env, await lookupOf(email));
  const dek = vault ? await openWithPassword(vault, password) : null;
  if (!dek) return null;
  await lockAll(env);
  return open(env, String(vault.uid), dek, null, minutes);
}

// Lock every user's work: the cookie and the unlocked copy of the data key go. What waits
// stays, encrypted, for its owner.
export async function lockAll(env) {
  env.clearCookie();
  await env.kv.del(KEYS.unlocked);
}

// The sign-in form, as it is sent: where this device has a vault for the email, try the
// password on it (the first page is then unlocked at once); in any case keep the password's
// key, sealed with a fresh unlock secret, for the first signed-in page to bind.
export async function rememberPassword(env, email, password) {
  const lookup = await lookupOf(email);
  const vault = await vaultOf(env, lookup);
  const secret = randomBytes(32);
  if (vault && vault.salt) {
    const dek = await openWithPassword(vault, password);
    if (dek) {
      await open(env, String(vault.uid), dek, secret, SIGN_IN_MINUTES);
      return;
    }
    report("the password does not open this device's copy of the work (changed since?); the server's key will", null);
  }
  const salt = randomBytes(16);
  const bits = await passwordBits(password, salt, ITERATIONS);
  await env.kv.set(KEYS.pendingKek, { lookup, salt, iterations: ITERATIONS, box: await seal(await aesKey(secret), bits) });
  env.writeCookie(PENDING, secret, SIGN_IN_MINUTES);
}

// The service worker's way in: the data key of the user the unlock cookie names.
export async function unlockedNow(env) {
  const cookie = env.readCookie();
  if (!cookie || cookie.uid === PENDING) return null;
  const dek = await fromUnlocked(env, cookie.uid, cookie.secret);
  return dek ? { uid: cookie.uid, dek, key: await aesKey(dek) } : null;
}

// How many items wait on this device, per owner, from what is in clear (the sign-in page
// and the app shell say so without unlocking anything).
export async function waitingByOwner(kv) {
  const counts = {};
  for (const [, record] of await entriesUnder(kv, PREFIX + "rec:")) {
    if (!record || !record.owner) continue;
    counts[record.owner] = (counts[record.owner] || 0) + (record.count || 0);
  }
  return counts;
}

async function vaultOf(env, lookup) {
  const vaults = await entriesUnder(env.kv, PREFIX + "vault:");
  const found = vaults.map(([, v]) => v).find((v) => v && v.lookup === lookup);
  return found || null;
}

async function fromUnlocked(env, uid, secret) {
  const unlocked = await env.kv.get(KEYS.unlocked);
  if (!unlocked || unlocked.uid !== uid) return null;
  try {
    return await unseal(await aesKey(secret), unlocked.box);
  } catch (error) {
    report("the unlock cookie does not open the unlocked key", error);
    return null;
  }
}

async function bindPassword(env, vault, dek, lookup, cookie) {
  const pending = await env.kv.get(KEYS.pendingKek);
  if (!pending) return vault;
  await env.kv.del(KEYS.pendingKek);
  if (pending.lookup !== lookup || !cookie) return vault; // someone else's sign-in attempt
  try {
    const bits = await unseal(await aesKey(cookie.secret), pending.box);
    return await wrapWithPasswordBits(vault, dek, bits, pending.salt, pending.iterations);
  } catch (error) {
    report("the password from the sign-in form could not be bound to this device's key", error);
    return vault;
  }
}

async function open(env, uid, dek, secret, minutes) {
  const kept = secret || randomBytes(32);
  env.writeCookie(uid, kept, minutes);
  await env.kv.set(KEYS.unlocked, { uid, box: await seal(await aesKey(kept), dek) });
  return { uid, dek, key: await aesKey(dek) };
}

// Each user's work on this device is encrypted with a data key of their own (AES-GCM, 256
// bits, WebCrypto), so another user of a shared tablet, or whoever finds a lost one, reads
// none of it. The data key is kept only wrapped:
//
// * by the user's password (PBKDF2-SHA-256, 600,000 rounds, a random salt): the user
//   unlocks their own work offline, on this device, with the password they sign in with;
// * by a key the server gives only to that user, signed in (`/device/key`, HMAC of the
//   app's secret, the user and this vault's id): the work unlocks after any sign-in online,
//   also after a password change;
// * while the user works, by a random secret in a cookie that ends with the browser's
//   session or `unlockMinutes` after their last page (`checklist-unlock`), so that pages and
//   the service worker need neither the password nor the server on every page.
//
// Nothing here decides when to unlock or lock; unlock.js does.

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const ITERATIONS = 600000; // OWASP's figure for PBKDF2-HMAC-SHA256 (2023)
export const COOKIE = "checklist-unlock";

export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

export function toBase64Url(bytes) {
  let text = "";
  bytes.forEach((b) => { text += String.fromCharCode(b); });
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text) {
  const plain = atob(String(text).replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(plain, (c) => c.charCodeAt(0));
}

export function aesKey(raw) {
  return subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

// {iv, data}: what IndexedDB keeps of an encrypted value.
export async function seal(key, bytes) {
  const iv = randomBytes(12);
  const data = await subtle.encrypt({ name: "AES-GCM", iv }, key, bytes);
  return { iv, data: new Uint8Array(data) };
}

// The bytes, or an error when the key is not the one that sealed them (or they were changed).
export async function unseal(key, box) {
  return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data));
}

export function sealJson(key, value) {
  return seal(key, encoder.encode(JSON.stringify(value)));
}

export async function unsealJson(key, box) {
  return JSON.parse(decoder.decode(await unseal(key, box)));
}

// The key a password gives with this salt: 32 bytes, to wrap the data key with.
export async function passwordBits(password, salt, iterations = ITERATIONS) {
  const base = await subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
  return new Uint8Array(bits);
}

// How the sign-in form finds a vault by the email typed, without keeping the email: its
// SHA-256 (the server writes the same into the page, `lookup` in the page's context).
export async function lookupOf(email) {
  const digest = await subtle.digest("SHA-256", encoder.encode(String(email).trim().toLowerCase()));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// -- vaults -------------------------------------------------------------------------------

export function newVault(uid, lookup) {
  return {
    vault: { v: 3, uid, lookup, id: toBase64Url(randomBytes(16)), salt: null, iterations: ITERATIONS, byPassword: null, byServer: null },
    dek: randomBytes(32),
  };
}

export async function wrapWithServerKey(vault, dek, serverKey) {
  return { ...vault, byServer: await seal(await aesKey(serverKey), dek) };
}

export async function wrapWithPasswordBits(vault, dek, bits, salt, iterations) {
  return { ...vault, salt, iterations, byPassword: await seal(await aesKey(bits), dek) };
}

// The data key, or null when this is not the key that wrapped it.
async function openBox(box, raw) {
  if (!box || !raw) return null;
  try {
    return await unseal(await aesKey(raw), box);
  } catch (error) {
    return null; // a wrong password or another server key: the caller says so
  }
}

export function openWithServerKey(vault, serverKey) {
  return openBox(vault.byServer, serverKey);
}

export async function openWithPassword(vault, password) {
  if (!vault.byPassword || !vault.salt) return null;
  return openBox(vault.byPassword, await passwordBits(password, vault.salt, vault.iterations));
}

// -- the unlock cookie -------------------------------------------------------------------

// {uid, secret} from document.cookie's text, or null.
export function readUnlockCookie(cookies) {
  const found = String(cookies || "").split(/;\s*/).find((part) => part.startsWith(COOKIE + "="));
  if (!found) return null;
  const [uid, secret] = found.slice(COOKIE.length + 1).split(".");
  if (!uid || !secret) return null;
  try {
    return { uid, secret: fromBase64Url(secret) };
  } catch (error) {
    return null;
  }
}

export function unlockCookie(uid, secret, minutes, secure) {
  const parts = [COOKIE + "=" + uid + "." + toBase64Url(secret), "Path=/", "SameSite=Strict", "Max-Age=" + Math.max(60, Math.round(minutes * 60))];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function expiredUnlockCookie(secure) {
  return COOKIE + "=; Path=/; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "");
}

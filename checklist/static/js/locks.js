// One writer at a time for a user's records, across the pages and the service worker: a
// read, a decryption, a change and an encryption cannot run inside one IndexedDB
// transaction (it ends at the first await), so the Web Locks API holds the whole step.
// Where a browser has no Web Locks, the steps of one page still run one after another.
const local = new Map();

export function withLock(name, step) {
  const locks = typeof navigator !== "undefined" && navigator.locks;
  if (locks && locks.request) return locks.request(name, step);
  const before = local.get(name) || Promise.resolve();
  const run = before.then(step, step);
  local.set(name, run.catch(() => null));
  return run;
}

// What a `catch` lets go of is said here, not swallowed: the browser's console (and the
// test's log) shows each, with the error.
const seen = [];

export function report(message, error) {
  seen.push({ message, error: error ? String(error && error.message || error) : "" });
  if (seen.length > 50) seen.shift();
  if (typeof console !== "undefined") console.warn("[checklist] " + message, error || "");
}

// The last reports, newest last (for a test, or a visitor's "what went wrong" later).
export function reports() {
  return seen.slice();
}

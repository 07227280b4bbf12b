// Words for the page: the texts come from the translation catalog, in data-* attributes.

// "{n} still to send" with {n} filled in; unknown names stay as they are.
export function fill(template, values) {
  return String(template || "").replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
}

// The singular text for one, else the plural (the catalog gives both).
export function plural(n, one, many, values = {}) {
  return fill(n === 1 ? one : many, { n, ...values });
}

export function clock(ms, lang) {
  try {
    return new Date(ms).toLocaleTimeString(lang || undefined, { hour: "2-digit", minute: "2-digit" });
  } catch (error) {
    return new Date(ms).toTimeString().slice(0, 5);
  }
}

export function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return String(Date.now()) + String(Math.random()).slice(2);
}

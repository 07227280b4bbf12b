// A count criterion's bands, as the server scores them (Criterion.band_for in
// core/criteria.py): bands are [from, to), the last one open. Pure, so Node tests it and a
// Python test runs it against the server's rule on generated numbers.

// `bands`: [{from, to, label}] in order, `to` null for the last. The band `number` falls in,
// or null (no number, not a number, or outside every band).
export function bandFor(bands, number) {
  if (number === null || number === undefined || number === "" || !Number.isFinite(Number(number))) return null;
  const n = Number(number);
  for (const band of bands) {
    if (n >= band.from && (band.to === null || n < band.to)) return band;
  }
  return null;
}

// What a visitor typed in a number field, as a number: "2,5" and "2.5" alike; "" and junk give null.
export function typedNumber(text) {
  const clean = String(text).trim().replace(",", ".");
  if (!clean || !/^-?\d+(\.\d+)?$/.test(clean)) return null;
  return Number(clean);
}

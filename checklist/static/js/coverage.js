// Coverage in words and the low-coverage mark, as the server writes them
// (core/labels.format_coverage and core/scoring.low_coverage), for the counts that include
// what waits on the device. tests/test_browser_rules.py checks both against the Python ones.

// Python's f"{100 * scored / assessable:.0f}": round half to even. In whole numbers, so a
// share that is exactly a half is known to be one (a float's error is far smaller than the
// distance 1/(2 * assessable) of any other share from a half).
function percent(scored, assessable) {
  const n = 100 * scored;
  const q = Math.floor(n / assessable);
  const twice = 2 * (n - q * assessable);
  if (twice > assessable) return q + 1;
  if (twice < assessable) return q;
  return q % 2 === 0 ? q : q + 1;
}

export function formatCoverage(scored, assessable) {
  if (!assessable) return "–";
  return scored + "/" + assessable + " (" + percent(scored, assessable) + "%)";
}

export function lowCoverage(scored, assessable, threshold) {
  return threshold > 0 && (!assessable || scored < threshold * assessable);
}

// Coverage in words and the low-coverage mark, as the server writes them
// (core/labels.format_coverage and core/scoring.low_coverage), for the counts that include
// what waits on the device. tests/test_browser_rules.py checks both against the Python ones.

// Python's f"{x:.0f}": round half to even.
function roundHalfEven(x) {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (Math.abs(diff - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(x);
}

export function formatCoverage(scored, assessable) {
  if (!assessable) return "–";
  return scored + "/" + assessable + " (" + roundHalfEven((100 * scored) / assessable) + "%)";
}

export function lowCoverage(scored, assessable, threshold) {
  return threshold > 0 && (!assessable || scored < threshold * assessable);
}

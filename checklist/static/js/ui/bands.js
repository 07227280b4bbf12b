// Next to a count criterion's number: "This number scores as: Partly", as it is typed, on or
// offline. The bands and the words come from the page (the server's band rule and labels).
import { bandFor, typedNumber } from "../bands.js";
import { report } from "../report.js";

export function liveBands(root = document) {
  for (const input of root.querySelectorAll("input[data-bands]")) {
    const out = document.getElementById(input.dataset.bandResult);
    if (!out) continue;
    let bands;
    try {
      bands = JSON.parse(input.dataset.bands);
    } catch (error) {
      report("a count's bands could not be read", error);
      continue;
    }
    const lowest = input.min === "" ? -Infinity : Number(input.min);
    const highest = input.max === "" ? Infinity : Number(input.max);
    const show = () => {
      const n = typedNumber(input.value);
      const band = n !== null && n >= lowest && n <= highest ? bandFor(bands, n) : null; // the server refuses the rest
      out.textContent = band ? out.dataset.prefix + " " + band.label : (input.value.trim() ? out.dataset.outside : "");
      out.dataset.answer = band ? band.answer : "";
    };
    input.addEventListener("input", show);
    show();
  }
}

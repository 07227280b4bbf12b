// The counts a visitor reads, with what waits on this device counted in (state.js): the visit
// page's list of domains and "continue", the domain picker, the review's coverage and
// unanswered list, and "nothing recorded" where statements wait. The server writes each
// page's figures as it knows them; this puts the device's part in and says which part it is.
import { fill, plural } from "../format.js";
import { formatCoverage, lowCoverage } from "../coverage.js";
import { progress } from "../state.js";

export function readState() {
  const el = document.getElementById("visit-state");
  if (!el) return null;
  try {
    return JSON.parse(el.textContent);
  } catch (error) {
    return null;
  }
}

export function showProgress(ctx, state) {
  const texts = (document.getElementById("device-texts") || {}).dataset || {};
  let current = state;

  async function render() {
    const records = ctx.outbox ? (await ctx.outbox.list(current.visit)).map((e) => e.record) : [];
    const p = progress(current, records);
    domainLists(p, texts);
    domainPicker(p, texts);
    continueButton(p, texts);
    waitingNote(p, texts);
    review(p, current, texts);
    nothingRecorded(p);
    skipLink(p);
    document.documentElement.setAttribute("data-progress", "ready");
    return p;
  }

  ctx.onChange(render);
  return {
    render,
    update(next) { current = next; return render(); },
  };
}

function deviceSuffix(n, texts) {
  return n ? " " + fill(texts.onDevice, { n }) : "";
}

// The visit page: "5 of 7 answered (2 of them on this device)".
function domainLists(p, texts) {
  for (const d of p.domains) {
    document.querySelectorAll("[data-progress-domain='" + d.id + "']").forEach((li) => {
      const bar = li.querySelector("progress");
      if (bar) {
        bar.value = d.answered;
        bar.setAttribute("aria-label", fill(texts.answered, { done: d.answered, total: d.applicable }));
      }
      const count = li.querySelector(".count");
      if (count) count.textContent = fill(texts.answered, { done: d.answered, total: d.applicable }) + deviceSuffix(d.onDevice, texts);
    });
  }
}

// The domain page's steps and its phone picker: "5/7".
function domainPicker(p, texts) {
  for (const d of p.domains) {
    document.querySelectorAll(".steps [data-count-domain='" + d.id + "']").forEach((el) => {
      el.textContent = d.answered + "/" + d.applicable + deviceSuffix(d.onDevice, texts);
      const step = el.closest(".step");
      if (step) step.classList.toggle("complete", d.complete);
    });
    document.querySelectorAll("#jump option[value='" + d.id + "']").forEach((option) => {
      option.textContent = d.title + " (" + d.answered + "/" + d.applicable + ")" + deviceSuffix(d.onDevice, texts);
    });
  }
}

function continueButton(p) {
  const button = document.querySelector("a[data-continue]");
  const target = p.domains.find((d) => d.id === p.continueDomain);
  if (!button || !target) return;
  button.href = target.url;
  const name = button.querySelector(".continue-domain");
  if (name) name.textContent = target.title;
}

// "3 answers, 1 statement and 1 photo wait on this device."
function waitingNote(p, texts) {
  document.querySelectorAll(".device-waiting").forEach((el) => {
    el.hidden = !p.waitingTotal;
    el.textContent = p.waitingTotal ? plural(p.waitingTotal, texts.waitingOne, texts.waiting) : "";
  });
}

// The review: coverage and the unanswered list count what waits too; no red figure that
// only the missing sync explains.
function review(p, state, texts) {
  const coverage = document.querySelector("[data-coverage]");
  if (coverage) {
    const low = lowCoverage(p.scored, p.assessable, state.lowCoverage);
    coverage.classList.toggle("flag", low);
    coverage.classList.toggle("low-coverage", low);
    coverage.textContent = texts.coverageLabel + ": " + formatCoverage(p.scored, p.assessable) + (low ? " – " + texts.low : "") +
      (p.waiting.answers ? " " + plural(p.waiting.answers, texts.coverageDeviceOne, texts.coverageDevice) : "");
  }
  const unanswered = new Set(p.unanswered.map((u) => u.key));
  document.querySelectorAll("[data-unanswered-key]").forEach((li) => { li.hidden = !unanswered.has(li.dataset.unansweredKey); });
  document.querySelectorAll("[data-unanswered-count]").forEach((el) => { el.textContent = String(unanswered.size); });
  document.querySelectorAll("[data-unanswered-item]").forEach((el) => { el.hidden = !unanswered.size; });
  const none = document.querySelector("[data-all-answered]");
  if (none) none.hidden = unanswered.size > 0;
  document.querySelectorAll("[data-unanswered-list]").forEach((el) => { el.hidden = !unanswered.size; });
}

function nothingRecorded(p) {
  document.querySelectorAll(".nothing-recorded").forEach((el) => { el.hidden = p.waiting.voices > 0; });
}

// The skip link goes to the first criterion still without an answer on this page.
function skipLink(p) {
  const link = document.getElementById("skip-unanswered");
  const form = document.getElementById("checklist-form");
  if (!link || !form) return;
  const first = p.unanswered.find((u) => u.domain === form.dataset.domain);
  if (first) link.href = "#c-" + first.key;
}

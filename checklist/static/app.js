// Small progressive enhancements; every page works without JavaScript.
// On the checklist: warn before leaving by a link while answers are not yet saved
// (the save buttons themselves submit the form, so they never warn).
(function () {
  "use strict";
  var form = document.getElementById("checklist-form");
  if (!form) return;
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();

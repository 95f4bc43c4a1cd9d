// Error summary (KERN / GOV.UK pattern): after a failed submit the summary gets the focus, so
// screen readers announce it and keyboard users start there; its links move the focus to the input
// and bring the input's label into view (a plain anchor would hide the label above the input).
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!input) {
      return;
    }
    event.preventDefault();
    var group = input.closest("fieldset, .field") || input;
    var label = group.querySelector("legend, label") || input;
    label.scrollIntoView();
    var target = input.matches("input, select, textarea, button") ? input : input.querySelector("input, select, textarea");
    (target || input).focus({ preventScroll: true });
  });
})();

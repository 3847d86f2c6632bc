/* Progressive enhancement only: every page works without it. */
(function () {
  "use strict";
  // Error summary: focus it on load, and make its links move focus to the field (not just
  // scroll), showing the field's label or legend above it.
  var summary = document.querySelector("[data-module='error-summary']");
  if (summary) {
    if (document.activeElement !== summary) { summary.focus(); }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a") : null;
      if (!link) { return; }
      var href = link.getAttribute("href") || "";
      if (href.charAt(0) !== "#") { return; }
      var input = document.getElementById(href.slice(1));
      if (!input) { return; }
      event.preventDefault();
      var fieldset = input.closest("fieldset");
      var legend = fieldset ? fieldset.querySelector("legend") : null;
      var label = document.querySelector("label[for='" + input.id + "']");
      var anchor = (legend && input.type !== "text" && input.tagName !== "TEXTAREA" && input.tagName !== "SELECT") ||
        (legend && input.closest(".date-input")) ? legend : label || input;
      anchor.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }
  // Stop a double click sending a form twice.
  var forms = document.querySelectorAll("form");
  Array.prototype.forEach.call(forms, function (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "add_row") { return; }
      if (sent) { event.preventDefault(); return; }
      sent = true;
      setTimeout(function () { sent = false; }, 3000);
    });
  });
})();

// A refused form (templates/includes/resume_erreurs.html): focus goes to the summary of its errors,
// which a screen reader then reads; each link of the summary moves focus to its field.
(function () {
  "use strict";
  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      var group = field.closest("fieldset");
      (group || label || field).scrollIntoView({block: "start"});
      field.focus({preventScroll: true});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

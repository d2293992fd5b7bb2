// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The search filters are a sidebar on wide screens and a closed disclosure on a phone; the
    // stylesheet shows the sidebar open where it can, this keeps the disclosure's state in step.
    var filters = document.getElementById("filters");
    if (filters && window.matchMedia) {
      var wide = window.matchMedia("(min-width: 50rem)");
      var follow = function () { if (wide.matches) { filters.open = true; } };
      follow();
      if (wide.addEventListener) { wide.addEventListener("change", follow); }
    }
    // A refused form's summary: its links take the keyboard to the field they name, not only the view.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.addEventListener("click", function (event) {
        var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
        var target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
        if (target) {
          event.preventDefault();
          target.focus();
          target.scrollIntoView({block: "center"});
        }
      });
    }
    // Select the whole permalink when it gets focus, ready to copy.
    var permalink = document.getElementById("permalink");
    if (permalink) {
      permalink.addEventListener("focus", function () { permalink.select(); });
    }
  });
})();

// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Sorting applies as soon as a sort order is chosen; the Apply button stays for no-JS use.
    var sortForm = document.querySelector("form.sort-form");
    if (sortForm) {
      var select = sortForm.querySelector("select");
      var button = sortForm.querySelector(".sort-apply");
      if (select && button) {
        button.hidden = true;
        select.addEventListener("change", function () { sortForm.submit(); });
      }
    }
    // Select the whole permalink when it gets focus, ready to copy.
    var permalink = document.getElementById("permalink");
    if (permalink) {
      permalink.addEventListener("focus", function () { permalink.select(); });
    }
  });
})();

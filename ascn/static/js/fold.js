/* A <details open data-fold-below="900"> is open on wide screens and folded away on a screen up to that many
   pixels wide (a long filter panel above the results on a phone: its summary names what is chosen), at load,
   when HTMX swaps in a new one and when the window crosses the width. Without scripts it stays open. */
(function () {
  "use strict";

  function fold(root) {
    root.querySelectorAll("details[data-fold-below]").forEach(function (details) {
      var narrow = window.matchMedia("(max-width: " + details.dataset.foldBelow + "px)").matches;
      if (details.dataset.foldedFor !== String(narrow)) {  // once per width class: a reader's own choice stays
        details.dataset.foldedFor = String(narrow);
        details.open = !narrow;
      }
    });
  }

  fold(document);
  document.addEventListener("htmx:afterSwap", function () { fold(document); });
  window.addEventListener("resize", function () { fold(document); });
})();

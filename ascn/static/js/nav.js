/* The header's Menu button on narrow screens (docs/architecture.md, "Layout for every screen"): it shows and
   hides the navigation it controls (aria-controls) and says so in aria-expanded, which the stylesheet reads.
   Escape closes the open menu and gives the focus back to the button. On wide screens the stylesheet hides
   the button and always shows the navigation; without scripts it shows the navigation too. */
(function () {
  "use strict";

  var button = document.querySelector(".menu-toggle[aria-controls]");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) { return; }

  function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
  function setOpen(open) { button.setAttribute("aria-expanded", open ? "true" : "false"); }

  button.addEventListener("click", function () { setOpen(!isOpen()); });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !isOpen()) { return; }
    var focus = document.activeElement;
    if (focus === button || menu.contains(focus)) {
      setOpen(false);
      button.focus();
    }
  });
})();

/* The unsaved-edits guard: a form with the attribute data-warn-unsaved warns before its typed values are lost.

   <form method="post" data-warn-unsaved="Leave the page and lose the changes?" [data-dirty="true"]>
     ...
     <span data-unsaved-status hidden>Unsaved changes</span>
   </form>

   - Typing or choosing in the form marks it dirty (data-dirty="true"); an element inside it with
     data-unsaved-status is shown while it is. Fields with data-unsaved-ignore do not count.
   - While a form is dirty, leaving the page (a link, reload, closing the tab, another form's submit) asks
     the browser's "Leave site?" question, and an HTMX request from outside the form that would replace it
     asks the attribute's text with confirm().
   - Submitting the form clears it (the save is under way). If an HTMX save fails to reach the server the
     form is dirty again. A page that comes back with values the server refused marks the form
     data-dirty="true" itself, so those values are guarded too.
   Loaded once by base.html; forms swapped in by HTMX are guarded as they arrive (the listeners are on the
   document). */
(function () {
  "use strict";

  var FORMS = "form[data-warn-unsaved]";
  var DEFAULT_QUESTION = "This page has changes that are not saved. Leave and lose them?";

  function guardedForm(element) {
    var form = element && (element.form || (element.closest && element.closest("form")));
    return form && form.matches(FORMS) ? form : null;
  }

  function isDirty(form) {
    return form.getAttribute("data-dirty") === "true";
  }

  function setDirty(form, dirty) {
    if (dirty) {
      form.setAttribute("data-dirty", "true");
    } else {
      form.removeAttribute("data-dirty");
    }
    var statuses = form.querySelectorAll("[data-unsaved-status]");
    for (var i = 0; i < statuses.length; i++) { statuses[i].hidden = !dirty; }
  }

  function dirtyForms() {
    return Array.prototype.filter.call(document.querySelectorAll(FORMS), isDirty);
  }

  function onEdit(event) {
    var target = event.target;
    if (!target || (target.hasAttribute && target.hasAttribute("data-unsaved-ignore"))) { return; }
    var form = guardedForm(target);
    if (form && !isDirty(form)) { setDirty(form, true); }
  }

  document.addEventListener("input", onEdit, true);
  document.addEventListener("change", onEdit, true);

  // Submitting saves: leaving the page for the answer loses nothing. Captured, so it runs before HTMX.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches(FORMS)) { setDirty(form, false); }
  }, true);

  window.addEventListener("beforeunload", function (event) {
    if (dirtyForms().length === 0) { return undefined; }
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when a value is set; the text itself is not shown
    return "";
  });

  // Show the status of forms drawn dirty by the server, on load and when HTMX swaps one in.
  function showStatus(root) {
    var forms = (root.matches && root.matches(FORMS)) ? [root] : root.querySelectorAll(FORMS);
    for (var i = 0; i < forms.length; i++) { setDirty(forms[i], isDirty(forms[i])); }
  }

  document.addEventListener("DOMContentLoaded", function () { showStatus(document); });

  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) { showStatus(event.target); }
  });

  // An HTMX request from outside a dirty form whose answer would replace it: ask first.
  document.addEventListener("htmx:confirm", function (event) {
    var detail = event.detail || {};
    var target = detail.target;
    var source = detail.elt;
    if (!target) { return; }
    var threatened = dirtyForms().filter(function (form) {
      return (target === form || target.contains(form)) && !(source && (source === form || form.contains(source)));
    });
    if (threatened.length === 0) { return; }
    event.preventDefault();
    var question = threatened[0].getAttribute("data-warn-unsaved") || DEFAULT_QUESTION;
    if (window.confirm(question)) {
      threatened.forEach(function (form) { setDirty(form, false); });
      detail.issueRequest(true);
    }
  });

  // A save that never reached the server (network down, server error): what was typed is still unsaved.
  function restoreOnFailure(event) {
    var form = guardedForm(event.detail && event.detail.elt);
    if (form && document.body.contains(form)) { setDirty(form, true); }
  }

  document.addEventListener("htmx:sendError", restoreOnFailure);
  document.addEventListener("htmx:responseError", restoreOnFailure);
})();

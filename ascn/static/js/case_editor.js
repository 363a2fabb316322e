/* The business case editor's tables (lines, loans, grants, risk drivers): a row's Remove button removes it in
   place. The row keeps its place in the form with its hidden removal mark set (the formset's DELETE field), so
   every other row keeps its number and what was typed in it; the row is hidden, and a change event on the mark
   tells the live results to recalculate and the unsaved-edits guard that the form changed. Rows are added in
   place by HTMX (the table's "Add" button); nothing here reloads the page. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-remove-row]") : null;
    if (!button) { return; }
    var row = button.closest("tr");
    var mark = row ? row.querySelector("[data-remove-mark]") : null;
    if (!mark) { return; }
    event.preventDefault();
    var table = row.closest("fieldset");
    mark.checked = true;
    row.hidden = true;
    mark.dispatchEvent(new Event("change", { bubbles: true }));
    var add = table ? table.querySelector("[data-add-row]") : null;
    if (add) { add.focus(); }  // the focused button is gone: the table's Add button is the next thing to use
  });
})();

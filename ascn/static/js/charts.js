/* Vega-Lite charts declared in the page: <div data-chart="ID"> plus <script type="application/json" id="ID">. */
(function () {
  "use strict";

  // A short fingerprint of the spec text, so a swapped-in new spec is drawn again and an unchanged one is not.
  function fingerprint(text) {
    var hash = 0;
    for (var i = 0; i < text.length; i++) { hash = (hash * 31 + text.charCodeAt(i)) | 0; }
    return text.length + ":" + (hash >>> 0).toString(16);
  }

  function fail(el, error) {
    el.textContent = "Chart unavailable";
    console.error("Chart " + el.dataset.chart + " could not be drawn:", error);
  }

  // Numbers in charts with the page language's separators, as the page's text writes them (1.234.567,5 in
  // Vietnamese; ascn.core.numbers on the server): the browser's own locale data for the <html lang>.
  function numberLocale() {
    var decimal = ".", thousands = ",";
    try {
      new Intl.NumberFormat(document.documentElement.lang || "en").formatToParts(1234567.5).forEach(function (part) {
        if (part.type === "decimal") { decimal = part.value; }
        if (part.type === "group") { thousands = part.value; }
      });
    } catch (error) { /* an unknown language: English separators */ }
    return { decimal: decimal, thousands: thousands, grouping: [3], currency: ["", ""] };
  }

  function render(el) {
    var source = document.getElementById(el.dataset.chart);
    var text = source ? source.textContent : "";
    var key = fingerprint(text);
    if (el.dataset.rendered === key) { return; }
    el.dataset.rendered = key;  // set first: a second event while drawing does not start a second view
    if (el._chartView) { el._chartView.finalize(); el._chartView = null; }
    try {
      if (!source) { throw new Error("no spec element #" + el.dataset.chart); }
      vegaEmbed(el, JSON.parse(text), { actions: false, renderer: "svg", formatLocale: numberLocale() })
        .then(function (result) { el._chartView = result.view; })
        .catch(function (error) { fail(el, error); });
    } catch (error) {
      fail(el, error);  // bad JSON, missing spec or the Vega scripts not loaded
    }
  }

  function renderAll() {
    document.querySelectorAll("[data-chart]").forEach(render);
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderAll();
    document.body.addEventListener("htmx:afterSettle", renderAll);  // charts in swapped-in fragments
  });
})();

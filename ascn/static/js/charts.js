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

  function render(el) {
    var source = document.getElementById(el.dataset.chart);
    var text = source ? source.textContent : "";
    var key = fingerprint(text);
    if (el.dataset.rendered === key) { return; }
    el.dataset.rendered = key;  // set first: a second event while drawing does not start a second view
    if (el._chartView) { el._chartView.finalize(); el._chartView = null; }
    try {
      if (!source) { throw new Error("no spec element #" + el.dataset.chart); }
      vegaEmbed(el, JSON.parse(text), { actions: false, renderer: "svg" })
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

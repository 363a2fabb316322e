/* Vega-Lite charts declared in the page: <div data-chart="ID"> plus <script type="application/json" id="ID">.

   Every chart drawn here inherits three rules (docs/architecture.md, "Charts and maps"):
   - A chart with nothing to draw shows a sentence in its place and never reaches Vega (an empty scale makes
     Vega warn "Infinite extent"): the spec's `usermeta.empty` text when the server says so, else, when no
     inline data set has a row, the element's data-chart-empty or this script tag's data-empty text
     (data-unavailable: what a chart that cannot be drawn says).
   - Numbers use the page language's separators.
   - A legend wider than the chart (long labels, a phone) is laid out again in as many columns as fit,
     so no label is cut at the chart's edge.
   The Vega scripts load only when a chart has something to draw: this script tag names them (data-vega,
   data-vega-lite, data-vega-embed), and a page that loads them itself works as well. */
(function () {
  "use strict";

  var script = document.currentScript;  // read now: it is null once the script has run
  var defaultEmpty = script && script.dataset.empty ? script.dataset.empty : "";
  var unavailable = script && script.dataset.unavailable ? script.dataset.unavailable : "Chart unavailable";
  var vegaScripts = script ? [script.dataset.vega, script.dataset.vegaLite, script.dataset.vegaEmbed] : [];
  var vegaLoading = null;

  // Vega, Vega-Lite and vega-embed, once: fetched side by side, run in order (async = false).
  function loadVega() {
    if (window.vegaEmbed) { return Promise.resolve(); }
    if (vegaLoading) { return vegaLoading; }
    if (!vegaScripts.length || !vegaScripts.every(Boolean)) {
      return Promise.reject(new Error("the Vega scripts are neither loaded nor named on the charts.js tag"));
    }
    vegaLoading = Promise.all(vegaScripts.map(function (url) {
      return new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = url;
        tag.async = false;
        tag.onload = resolve;
        tag.onerror = function () { reject(new Error("could not load " + url)); };
        document.head.appendChild(tag);
      });
    }));
    return vegaLoading;
  }

  // A short fingerprint of the spec text, so a swapped-in new spec is drawn again and an unchanged one is not.
  function fingerprint(text) {
    var hash = 0;
    for (var i = 0; i < text.length; i++) { hash = (hash * 31 + text.charCodeAt(i)) | 0; }
    return text.length + ":" + (hash >>> 0).toString(16);
  }

  function fail(el, error) {
    el.textContent = unavailable;
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

  // Whether the spec's inline data sets, all of them, have no row (a spec with data from elsewhere, or
  // generated, is never counted as empty).
  function hasNoRows(spec) {
    var rows = 0, sets = 0, other = false;
    (function walk(node) {
      if (!node || typeof node !== "object") { return; }
      if (Array.isArray(node)) { node.forEach(walk); return; }
      var data = node.data;
      if (data && typeof data === "object") {
        sets += 1;
        if (Array.isArray(data.values)) { rows += data.values.length; }
        else if (data.name && spec.datasets && Array.isArray(spec.datasets[data.name])) {
          rows += spec.datasets[data.name].length;
        } else { other = true; }
      }
      ["layer", "concat", "hconcat", "vconcat", "spec"].forEach(function (key) { walk(node[key]); });
    })(spec);
    return sets > 0 && rows === 0 && !other;
  }

  // The sentence a chart with nothing to draw shows, or null when it has something to draw.
  function emptyText(spec, el) {
    var meta = spec.usermeta || {};
    if (meta.empty) { return String(meta.empty); }
    if (hasNoRows(spec)) { return el.dataset.chartEmpty || defaultEmpty; }
    return null;
  }

  function showEmpty(el, text) {
    el.textContent = "";
    var note = document.createElement("p");
    note.className = "chart-empty";
    note.textContent = text;
    el.appendChild(note);
    el.classList.add("is-empty");
    if (el.getAttribute("role") === "img") {  // a picture of nothing: let the sentence be read
      el.dataset.chartRole = "img";
      el.removeAttribute("role");
    }
  }

  // When a drawn legend runs past the chart's edge: how many columns of its widest entry fit (else null).
  function legendColumns(el) {
    var svg = el.querySelector("svg");
    if (!svg) { return null; }
    var box = svg.getBoundingClientRect(), overflows = false, widest = 0;
    el.querySelectorAll("svg .role-legend").forEach(function (legend) {
      var r = legend.getBoundingClientRect();
      if (r.right > box.right + 1 || r.left < box.left - 1) { overflows = true; }
    });
    if (!overflows) { return null; }
    el.querySelectorAll("svg .role-legend-entry .role-scope > g").forEach(function (entry) {
      widest = Math.max(widest, entry.getBoundingClientRect().width);
    });
    return widest > 0 ? Math.max(1, Math.floor((box.width - 4) / (widest + 12))) : 1;
  }

  function embed(el, spec, attempt) {
    // The page's font stack, so Thai labels are drawn in the shipped Thai font like the page (Vega's own default,
    // sans-serif, drew them as boxes on a machine without a Thai font).
    var font = getComputedStyle(document.documentElement).fontFamily;
    return vegaEmbed(el, spec, { actions: false, renderer: "svg", formatLocale: numberLocale(), config: { font: font } })
      .then(function (result) {
        el._chartView = result.view;
        var fit = attempt < 3 ? legendColumns(el) : null;
        var current = spec.config && spec.config.legend ? spec.config.legend.columns : undefined;
        var columns = fit === null ? current : current ? Math.max(1, Math.min(fit, current - 1)) : fit;
        if (columns === current) { return result; }
        result.view.finalize();  // drawn again with the legend in columns
        var wrapped = Object.assign({}, spec, { config: Object.assign({}, spec.config) });
        wrapped.config.legend = Object.assign({}, wrapped.config.legend, { columns: columns });
        return embed(el, wrapped, attempt + 1);
      });
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
      var spec = JSON.parse(text);
      var empty = emptyText(spec, el);
      if (empty !== null) { showEmpty(el, empty); return; }
      el.classList.remove("is-empty");
      if (el.dataset.chartRole) { el.setAttribute("role", el.dataset.chartRole); }
      loadVega().then(function () { return embed(el, spec, 0); }).catch(function (error) { fail(el, error); });
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

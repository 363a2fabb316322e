/* Member-city map: the shipped ASEAN outline (works offline), optional tiles, one marker per city.

   - Every pin shows whole: the view fits the pins with room in pixels for a pin's height above its point and
     for the controls (the zoom buttons top left, the attribution bottom right), also for a single pin.
   - The controls speak the page's language: the template passes their texts as data attributes (data-zoom-in,
     data-zoom-out, data-close-label, data-leaflet-title, data-outline-attribution).
   - A map swapped in by HTMX (the project pipeline's filters) is drawn when it arrives.
   - The pin's images come from the template's static URLs (data-icon, data-icon-retina, data-shadow). */
(function () {
  "use strict";

  // Leaflet's default pin is 25 x 41 px with its point at the bottom middle; the zoom buttons take about
  // 45 x 75 px at the top left, the attribution about 20 px at the bottom.
  var PADDING_TOP_LEFT = [50, 50];
  var PADDING_BOTTOM_RIGHT = [20, 26];
  var MOST_ZOOM = 10;

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function drawMap(el) {
    if (el.dataset.ready || el._map) { return; }
    var points = JSON.parse(document.getElementById(el.dataset.points).textContent);
    var map = L.map(el, { scrollWheelZoom: false, worldCopyJump: false, zoomControl: false });
    el._map = map;
    var zoom = {};  // without the page's texts, Leaflet's own
    if (el.dataset.zoomIn) { zoom.zoomInTitle = el.dataset.zoomIn; }
    if (el.dataset.zoomOut) { zoom.zoomOutTitle = el.dataset.zoomOut; }
    L.control.zoom(zoom).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="' + escapeHtml(el.dataset.leafletTitle) +
                                     '">Leaflet</a>');
    // The pin's images by their own static URLs (hashed in production), not by a folder guessed from another file.
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({ iconUrl: el.dataset.icon, iconRetinaUrl: el.dataset.iconRetina,
                                  shadowUrl: el.dataset.shadow });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    fetch(el.dataset.outline)
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        L.geoJSON(geo, { style: { color: "#4a6b82", weight: 1, fillColor: "#dfe9f0", fillOpacity: el.dataset.tiles ? 0.2 : 1 },
                         interactive: false, attribution: escapeHtml(el.dataset.outlineAttribution) })
          .addTo(map).bringToBack();
      })
      .catch(function () { /* the markers still work without the outline */ });
    map.on("popupopen", function (event) {  // Leaflet writes "Close popup" in English
      var close = event.popup.getElement() && event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && el.dataset.closeLabel) {
        close.setAttribute("aria-label", el.dataset.closeLabel);
        close.setAttribute("title", el.dataset.closeLabel);
      }
    });

    var markers = points.map(function (p) {
      var url = el.dataset.cityUrl.replace("__slug__", encodeURIComponent(p.slug));
      var title = p.local_name ? p.name + " (" + p.local_name + ")" : p.name;
      return L.marker([p.lat, p.lng], { title: title, alt: p.name })
        .bindPopup('<strong>' + escapeHtml(title) + '</strong><br>' + escapeHtml(p.country) +
                   '<br><a class="popup-link" href="' + url + '">' + escapeHtml(el.dataset.linkLabel) + '</a>')
        .addTo(map);
    });
    if (markers.length) {
      var single = markers.length === 1;
      map.fitBounds(L.featureGroup(markers).getBounds(), {
        paddingTopLeft: PADDING_TOP_LEFT, paddingBottomRight: PADDING_BOTTOM_RIGHT, animate: false,
        maxZoom: single ? parseInt(el.dataset.zoom || "7", 10) : MOST_ZOOM });
    } else {
      map.setView([8, 112], 4);
    }
    el.dataset.ready = "true";
  }

  function drawAll() {
    document.querySelectorAll(".map[data-points]").forEach(drawMap);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll();
    document.body.addEventListener("htmx:afterSettle", drawAll);  // a map in a swapped-in fragment
  });
})();

/* Member-city map: the shipped ASEAN outline (works offline), optional tiles, one marker per city. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function drawMap(el) {
    var points = JSON.parse(document.getElementById(el.dataset.points).textContent);
    var map = L.map(el, { scrollWheelZoom: false, worldCopyJump: false });
    L.Icon.Default.imagePath = el.dataset.outline.replace(/geo\/asean-outline\.geojson.*$/, "vendor/leaflet/images/");
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
    }
    fetch(el.dataset.outline)
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        L.geoJSON(geo, { style: { color: "#4a6b82", weight: 1, fillColor: "#dfe9f0", fillOpacity: el.dataset.tiles ? 0.2 : 1 },
                         interactive: false }).addTo(map).bringToBack();
      })
      .catch(function () { /* the markers still work without the outline */ });

    var markers = points.map(function (p) {
      var url = el.dataset.cityUrl.replace("__slug__", encodeURIComponent(p.slug));
      var title = p.local_name ? p.name + " (" + p.local_name + ")" : p.name;
      return L.marker([p.lat, p.lng], { title: title, alt: p.name })
        .bindPopup('<strong>' + escapeHtml(title) + '</strong><br>' + escapeHtml(p.country) +
                   '<br><a class="popup-link" href="' + url + '">' + escapeHtml(el.dataset.linkLabel) + '</a>')
        .addTo(map);
    });
    if (markers.length === 1) {
      map.setView(markers[0].getLatLng(), parseInt(el.dataset.zoom || "7", 10));
    } else if (markers.length > 1) {
      map.fitBounds(L.featureGroup(markers).getBounds().pad(0.08));
    } else {
      map.setView([8, 112], 4);
    }
    el.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-points]").forEach(drawMap);
  });
})();

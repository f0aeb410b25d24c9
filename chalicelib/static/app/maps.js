/* Shared map helpers. No tile server (the local stack runs offline): kelurahan
   boundaries are drawn as a vector layer on a plain background, reports as circles. */
(function () {
  "use strict";
  var JAKARTA = [-6.2, 106.83];
  var COLOURS = { merah: "#c62828", kuning: "#e0a100", hijau: "#2e7d32", "abu-abu": "#757575" };

  function create(element) {
    element.hidden = false;
    var map = L.map(element, { zoomControl: true, attributionControl: false, preferCanvas: true })
      .setView(JAKARTA, 11);
    return map;
  }

  /* Resolves to the GeoJSON layer, or null when the app has no boundaries (404). */
  function boundaries(map, url, style) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { return null; }
      return response.json().then(function (data) {
        var layer = L.geoJSON(data, {
          style: style || function () {
            return { color: "#5c6f82", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 };
          }
        }).addTo(map);
        return layer;
      });
    }).catch(function () { return null; });
  }

  /* Marks the map element once its layers are drawn (tests and screen readers wait on it). */
  function ready(map, text) {
    var container = map.getContainer();
    container.setAttribute("data-ready", "1");
    if (text) { container.setAttribute("aria-label", text); }
  }

  function colour(name) { return COLOURS[name] || COLOURS["abu-abu"]; }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  /* Pages of the officer queue (the JSON API, with the session cookie), at most maxPages. */
  function queueItems(source, maxPages) {
    var items = [];
    function page(url, left) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        }).then(function (body) {
          items = items.concat(body.items || []);
          if (body.next && left > 1) {
            var sep = source.indexOf("?") >= 0 ? "&" : "?";
            return page(source + sep + "cursor=" + encodeURIComponent(body.next), left - 1);
          }
          return items;
        });
    }
    return page(source, maxPages || 20);
  }

  window.CRM = window.CRM || {};
  window.CRM.maps = { create: create, boundaries: boundaries, ready: ready, colour: colour, el: el,
                      queueItems: queueItems, JAKARTA: JAKARTA };
})();

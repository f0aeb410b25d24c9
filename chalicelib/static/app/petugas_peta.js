/* Map of the open reports in the officer's scope (their queue), coloured by status. */
(function () {
  "use strict";
  var el = document.getElementById("peta-laporan");
  if (!el || !window.L) { return; }
  var note = document.getElementById("peta-status");
  var maps = CRM.maps;
  var labels = JSON.parse(document.getElementById("nama-status").textContent);
  var map = maps.create(el);

  function popupFor(item) {
    var popup = document.createElement("div");
    var link = maps.el("a", item.ticket, { href: "/petugas/laporan/" + encodeURIComponent(item.ticket) });
    popup.appendChild(maps.el("strong")).appendChild(link);
    popup.appendChild(maps.el("p", (labels[item.status] || item.status) +
                                   (item.overdue ? " · " + el.dataset.late : "")));
    popup.appendChild(maps.el("p", (item.description || "").slice(0, 120)));
    return popup;
  }

  Promise.all([maps.boundaries(map, el.dataset.boundaries), maps.queueItems(el.dataset.source, 20)])
    .then(function (loaded) {
      var items = loaded[1];
      var points = [];
      items.forEach(function (item) {
        if (!item.point) { return; }
        var latlng = [item.point.lat, item.point.lon];
        points.push(latlng);
        L.circleMarker(latlng, {
          radius: item.overdue ? 9 : 7, weight: item.overdue ? 4 : 1.5,
          color: item.overdue ? "#6a0000" : "#222", fillColor: maps.colour(item.status_colour),
          fillOpacity: 0.9
        }).bindPopup(popupFor(item)).addTo(map);
      });
      if (points.length) { map.fitBounds(points, { padding: [30, 30], maxZoom: 15 }); }
      note.textContent = items.length
        ? el.dataset.count.replace("{n}", points.length).replace("{total}", items.length)
        : el.dataset.empty;
      maps.ready(map, note.textContent);
    }).catch(function (error) { note.textContent = error.message; });
})();

/* The Balai Warga form: map picker, "use my location", nearby open reports of the chosen
   category that the citizen may support instead ("me too"), and a photo sent with the
   report. Without this script the form still posts to /lapor and works. */
(function () {
  "use strict";
  var form = document.getElementById("form-lapor");
  if (!form) { return; }
  document.querySelectorAll(".js-only").forEach(function (node) { node.hidden = false; });
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var kelurahan = document.getElementById("kelurahan_code");
  var status = document.getElementById("kirim-status");
  var mapEl = document.getElementById("peta-pilih");
  var map = null;
  var marker = null;
  var boundaryLayer = null;

  function setPoint(latlng, pan) {
    if (!map) { return; }
    if (marker) { marker.setLatLng(latlng); } else {
      marker = L.circleMarker(latlng, { radius: 9, color: "#0d47a1", weight: 3,
                                        fillColor: "#42a5f5", fillOpacity: 0.9 }).addTo(map);
    }
    if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15)); }
    if (boundaryLayer) {
      boundaryLayer.eachLayer(function (layer) {
        if (layer.getBounds().contains(latlng) && inside(latlng, layer)) {
          var code = layer.feature.properties.code;
          if (code && kelurahan.querySelector("option[value=\"" + CSS.escape(code) + "\"]")) { kelurahan.value = code; }
        }
      });
    }
  }

  /* Ray casting over the polygon rings (Leaflet has no point-in-polygon). */
  function inside(latlng, layer) {
    var found = false;
    var rings = layer.getLatLngs();
    function walk(list) {
      if (list.length && list[0].lat !== undefined) {
        var hit = false;
        for (var i = 0, j = list.length - 1; i < list.length; j = i++) {
          var a = list[i], b = list[j];
          if (((a.lat > latlng.lat) !== (b.lat > latlng.lat)) &&
              (latlng.lng < (b.lng - a.lng) * (latlng.lat - a.lat) / (b.lat - a.lat) + a.lng)) { hit = !hit; }
        }
        if (hit) { found = !found; }
        return;
      }
      list.forEach(walk);
    }
    walk(rings);
    return found;
  }

  function write(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    lookNearby();
  }

  /* -- nearby open reports: GET /nearby/reports, POST /reports/{ticket}/support ---------- */
  var category = document.getElementById("category");
  var nearbyBox = document.getElementById("laporan-sekitar");
  var nearbyList = document.getElementById("daftar-sekitar");
  var supportNote = document.getElementById("dukung-status");
  var nearbyConfig = JSON.parse(document.getElementById("konfigurasi-sekitar").textContent);
  var NT = nearbyConfig.text;
  var nearbyTimer = null;
  var nearbyAsked = 0;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] === undefined ? all : String(values[name]);
    });
  }

  function number(input) { return parseFloat(input.value.replace(",", ".")); }

  function lookNearby() {
    window.clearTimeout(nearbyTimer);
    nearbyTimer = window.setTimeout(fetchNearby, 250);
  }

  function fetchNearby() {
    var a = number(lat), b = number(lon);
    if (!category.value || !isFinite(a) || !isFinite(b)) { showNearby([]); return; }
    var asked = ++nearbyAsked;
    var url = nearbyBox.dataset.source + "?" + new URLSearchParams(
      { lat: String(a), lon: String(b), category: category.value }).toString();
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (body) { if (asked === nearbyAsked) { showNearby(body.items || []); } },
            function () { if (asked === nearbyAsked) { showNearby([]); } });
  }

  function showNearby(items) {
    nearbyList.textContent = "";
    supportNote.textContent = "";
    items.forEach(function (item) {
      var li = CRM.maps.el("li", null, { "data-ticket": item.ticket });
      var head = CRM.maps.el("p", null, { "class": "n-meta" });
      head.appendChild(CRM.maps.el("strong", item.ticket, { "class": "ticket-small" }));
      head.appendChild(document.createTextNode(" · " + (nearbyConfig.status[item.status] || item.status) +
                                               " · "));
      head.appendChild(CRM.maps.el("span", fill(NT.pendukung_n, { n: item.supporter_count }),
                                   { "class": "n-count" }));
      li.appendChild(head);
      li.appendChild(CRM.maps.el("p", item.description, { "class": "n-desc" }));
      var button = CRM.maps.el("button", NT.dukung, { type: "button", "class": "secondary small dukung" });
      button.addEventListener("click", function () { support(item, li, button); });
      li.appendChild(button);
      nearbyList.appendChild(li);
    });
    nearbyBox.hidden = items.length === 0;
  }

  function support(item, li, button) {
    var phone = document.getElementById("phone").value.trim();
    var email = document.getElementById("email").value.trim();
    if (!phone && !email) {
      supportNote.textContent = NT.dukung_perlu_kontak;
      document.getElementById("phone").focus();
      return;
    }
    var body = {};
    if (phone) { body.phone = phone; }
    if (email) { body.email = email; }
    button.disabled = true;
    supportNote.textContent = NT.mengirim;
    fetch("/reports/" + encodeURIComponent(item.ticket) + "/support", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var reason = nearbyConfig.lang === "en" ? json.message_en : json.message_id;
          throw new Error(reason || ("HTTP " + response.status));
        }
        return json;
      });
    }).then(function (answer) {
      li.querySelector(".n-count").textContent = fill(NT.pendukung_n, { n: answer.supporter_count });
      supportNote.textContent = fill(NT.dukung_terima_kasih, { ticket: item.ticket });
    }, function (error) {
      button.disabled = false;
      supportNote.textContent = NT.dukung_gagal + " " + error.message;
    });
  }

  [lat, lon, category].forEach(function (input) { input.addEventListener("change", lookNearby); });

  if (mapEl && window.L) {
    map = CRM.maps.create(mapEl);
    CRM.maps.boundaries(map, mapEl.dataset.boundaries).then(function (layer) {
      boundaryLayer = layer;
      CRM.maps.ready(map, mapEl.dataset.hint);
    });
    map.on("click", function (event) { write(event.latlng); setPoint(event.latlng, false); });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        var a = parseFloat(lat.value.replace(",", ".")), b = parseFloat(lon.value.replace(",", "."));
        if (isFinite(a) && isFinite(b)) { setPoint(L.latLng(a, b), true); }
      });
    });
    if (lat.value && lon.value) { lat.dispatchEvent(new Event("change")); }
  }

  var locate = document.getElementById("pakai-lokasi");
  if (locate) {
    if (!navigator.geolocation) { locate.hidden = true; }
    locate.addEventListener("click", function () {
      var note = document.getElementById("lokasi-status");
      navigator.geolocation.getCurrentPosition(function (position) {
        var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        write(latlng); setPoint(latlng, true); note.textContent = "";
      }, function (error) { note.textContent = error.message; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  /* With a photo: file the report through the JSON API (same one-time key), upload the
     photo for the new ticket, then show the confirmation page. Any refusal falls back to
     the plain form post, which shows the errors next to the fields. */
  var photo = document.getElementById("foto");
  form.addEventListener("submit", function (event) {
    if (!photo || !photo.files || !photo.files.length) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = form.dataset.sending;
    var data = new URLSearchParams(new FormData(form));
    var key = data.get("kunci");
    data.delete("kunci");
    fetch("/channels/balai-warga", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": key,
                 Accept: "application/json" },
      body: data.toString()
    }).then(function (response) {
      if (!response.ok) { throw new Error("refused"); }
      return response.json();
    }).then(function (filed) {
      var q = "?token=" + encodeURIComponent(filed.tracking_token);
      var base = "/reports/" + encodeURIComponent(filed.ticket);
      var done = "/lapor/terkirim/" + encodeURIComponent(filed.ticket) + q;
      return CRM.upload.upload(base + "/photos" + q, photo.files[0])
        .then(function (stored) { return CRM.upload.postJson(base + "/photos/attach" + q, { key: stored }); })
        .then(function () { window.location.assign(done); },
              function () { window.location.assign(done + "&foto=gagal"); });
    }).catch(function () {
      button.disabled = false;
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();

/* Leaders' page: kinerja rankings and charts, SKM results, reports per kelurahan (density).

   Reads:
     GET /kinerja?level=&period=&unit=<area>
                                   {tabel: [{kelompok, posisi: [...]}], unit: {code: metrics},
                                    rentang_selesai: [{kode, label_id, label_en}]}
     GET /skm/results?period=      {jakarta: {...}, unit: [HasilSkm + nama]}
     GET /kinerja/kepadatan?period=&unit=<area>
                                   {wilayah, kelurahan: {code: n}, jumlah, skala: [0, 1, ...]}
   A 404 or an empty period shows "belum ada data"; nothing here fails the whole page. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("konfigurasi").textContent);
  var T = config.text;
  var units = config.units || {};
  var levelEl = document.getElementById("level");
  var periodEl = document.getElementById("period");
  var charts = {};
  var PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#e0a100", "#6a1b9a", "#00838f", "#5d4037",
                 "#ad1457", "#455a64", "#9e9d24"];

  function say(id, text) { document.getElementById(id).textContent = text || ""; }
  /* Charts and table of a section are hidden while it has nothing to show. */
  function showData(section, shown) {
    document.querySelectorAll("#" + section + " .charts, #" + section + " .table-wrap")
      .forEach(function (node) { node.hidden = !shown; });
  }
  function name(row) { return row.nama || row.name || units[row.unit] || row.unit; }
  function num(value, digits) {
    return value === null || value === undefined ? "–" : Number(value).toFixed(digits === undefined ? 1 : digits);
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) { return { missing: true }; }
        if (response.status === 401 || response.status === 403) { return { denied: true }; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json().then(function (body) { return { body: body }; });
      });
  }

  /* One row per ranked unit of the level: the positions of the ranking tables (GET /kinerja
     "tabel"; the Jakarta-wide table first when there is one) joined with the unit metrics
     ("unit": {code: KinerjaUnit}). Units without a rank (too few reports) go last. */
  function kinerjaRows(body) {
    var metrics = body.unit || body.units || {};
    if (Array.isArray(metrics)) {
      var byCode = {};
      metrics.forEach(function (m) { byCode[m.unit] = m; });
      metrics = byCode;
    }
    var tables = (body.tabel || []).slice().sort(function (a, b) {
      return (a.kelompok === null ? 0 : 1) - (b.kelompok === null ? 0 : 1);
    });
    var seen = {};
    var rows = [];
    tables.forEach(function (table) {
      (table.posisi || []).forEach(function (p) {
        if (seen[p.unit]) { return; }
        seen[p.unit] = true;
        rows.push(Object.assign({}, metrics[p.unit] || {}, p));
      });
    });
    rows.sort(function (a, b) {
      var ra = a.peringkat == null ? 1e9 : a.peringkat, rb = b.peringkat == null ? 1e9 : b.peringkat;
      return ra - rb || (b.skor || 0) - (a.skor || 0) || (b.received || 0) - (a.received || 0);
    });
    return rows;
  }

  function chart(id, spec) {
    if (charts[id]) { charts[id].destroy(); }
    if (!window.Chart) { return; }
    spec.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false },
                                 spec.options || {});
    charts[id] = new Chart(document.getElementById(id), spec);
  }

  function clearChart(id) { if (charts[id]) { charts[id].destroy(); delete charts[id]; } }

  function fillTable(id, rows, cells) {
    var body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cells(row).forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  /* The reader's area (its unit, rolled up): follow-ups per range of time to finish
     (unit[area].sebaran_selesai, ranges in rentang_selesai) as bars, and in the table the
     server rendered for readers without JavaScript, refilled so both show the same numbers. */
  var RANGE_COLOURS = ["#2e7d32", "#66bb6a", "#e0a100", "#f57c00", "#c62828"];
  function showSebaran(body) {
    var area = config.wilayah || {};
    var option = periodEl.options[periodEl.selectedIndex];
    say("sebaran-judul", (area.nama || "") + ", " + (option ? option.text : ""));
    var metrics = body && body.unit && !Array.isArray(body.unit) ? body.unit[area.unit] : null;
    var ranges = (body && body.rentang_selesai) || [];
    if (!metrics || !metrics.sebaran_selesai || !ranges.length) {
      showData("sebaran", false);
      clearChart("grafik-sebaran");
      say("sebaran-status", T.belum_ada_data);
      return;
    }
    var labels = ranges.map(function (r) { return config.lang === "en" ? r.label_en : r.label_id; });
    var counts = ranges.map(function (r) { return metrics.sebaran_selesai[r.kode] || 0; });
    var total = counts.reduce(function (a, b) { return a + b; }, 0);
    showData("sebaran", true);
    say("sebaran-status", total ? "" : T.belum_ada_data);
    var tbody = document.querySelector("#tabel-sebaran tbody");
    tbody.replaceChildren();
    labels.forEach(function (label, i) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      var td = document.createElement("td");
      td.textContent = counts[i];
      tr.appendChild(th);
      tr.appendChild(td);
      tbody.appendChild(tr);
    });
    say("sebaran-total", String(total));
    chart("grafik-sebaran", { type: "bar", data: { labels: labels, datasets: [
      { label: T.tindak_lanjut, data: counts,
        backgroundColor: labels.map(function (_, i) { return RANGE_COLOURS[i] || "#455a64"; }) }
    ] }, options: { plugins: { legend: { display: false } },
                    scales: { y: { min: 0, ticks: { precision: 0 }, title: { display: true, text: T.tindak_lanjut } } } } });
  }

  function kindOf(code) {
    var found = config.periods.find(function (p) { return p.code === code; });
    return found ? found.kind : "";
  }

  /* The trend: the chosen period and those before it of the same kind (week, month or
     quarter), oldest first. */
  function samePeriodKind(code) {
    var kind = kindOf(code);
    var list = config.periods.filter(function (p) { return p.kind === kind; });
    var start = list.findIndex(function (p) { return p.code === code; });
    return list.slice(start, start + config.trend_periods).reverse();
  }

  function loadKinerja() {
    var level = levelEl.value, period = periodEl.value;
    say("kinerja-status", T.memuat);
    var area = (config.wilayah || {}).unit;
    getJson("/kinerja?level=" + encodeURIComponent(level) + "&period=" + encodeURIComponent(period) +
            (area ? "&unit=" + encodeURIComponent(area) : ""))
      .then(function (answer) {
        showSebaran(answer.body);
        if (answer.missing || answer.denied) {
          showData("kinerja", false);
          say("kinerja-status", answer.missing ? T.belum_ada_data : T.tidak_berhak);
          ["grafik-tren", "grafik-waktu", "grafik-sla"].forEach(clearChart);
          fillTable("tabel-peringkat", [], function () { return []; });
          return;
        }
        var rows = kinerjaRows(answer.body);
        var withData = rows.filter(function (r) { return r.received > 0 || r.skor != null; });
        var unranked = rows.filter(function (r) { return r.peringkat == null; }).length;
        if (!withData.length) { say("kinerja-status", T.belum_ada_data); }
        else { say("kinerja-status", unranked ? T.tanpa_peringkat.replace("{n}", unranked) : ""); }
        rows = withData;
        showData("kinerja", rows.length > 0);
        fillTable("tabel-peringkat", rows, function (r) {
          return [r.peringkat == null ? "–" : r.peringkat, name(r), num(r.skor, 2), r.received == null ? "–" : r.received,
                  num(r.first_action_in_sla_pct) + "%", num(r.finished_in_sla_pct) + "%", num(r.avg_rating, 2)];
        });
        var top = rows.slice(0, 10);
        var labels = top.map(name);
        chart("grafik-sla", { type: "bar", data: { labels: labels, datasets: [
          { label: T.respons_sla, data: top.map(function (r) { return r.first_action_in_sla_pct; }), backgroundColor: "#1565c0" },
          { label: T.selesai_sla, data: top.map(function (r) { return r.finished_in_sla_pct; }), backgroundColor: "#2e7d32" }
        ] }, options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } } } });
        var hours = function (s) { return s == null ? null : Math.round(s / 360) / 10; };
        chart("grafik-waktu", { type: "bar", data: { labels: labels, datasets: [
          { label: T.median, data: top.map(function (r) { return hours(r.finish_median_s); }), backgroundColor: "#e0a100" },
          { label: "p90", data: top.map(function (r) { return hours(r.finish_p90_s); }), backgroundColor: "#c62828" }
        ] }, options: { scales: { y: { min: 0, title: { display: true, text: T.jam } } } } });
        loadTrend(level, period, rows.slice(0, 5));
      }).catch(function (error) {
        say("kinerja-status", T.gagal + " " + error.message);
        say("sebaran-status", T.gagal + " " + error.message);
      });
  }

  function loadTrend(level, period, leaders) {
    var periods = samePeriodKind(period);
    Promise.all(periods.map(function (p) {
      return getJson("/kinerja?level=" + encodeURIComponent(level) + "&period=" + encodeURIComponent(p.code))
        .then(function (answer) { return answer.body ? kinerjaRows(answer.body) : []; })
        .catch(function () { return []; });
    })).then(function (perPeriod) {
      chart("grafik-tren", { type: "line", data: {
        labels: periods.map(function (p) { return p.label; }),
        datasets: leaders.map(function (unit, i) {
          return { label: name(unit), borderColor: PALETTE[i], backgroundColor: PALETTE[i], spanGaps: true,
                   data: perPeriod.map(function (rows) {
                     var row = rows.find(function (r) { return r.unit === unit.unit; });
                     return row ? row.skor : null;
                   }) };
        }) }, options: { scales: { y: { min: 0, max: 100, title: { display: true, text: T.skor } } } } });
    });
  }

  function loadSkm() {
    var period = periodEl.value;
    if (kindOf(period) !== "quarter") {
      showData("skm", false);
      clearChart("grafik-unsur");
      fillTable("tabel-skm", [], function () { return []; });
      say("skm-status", T.skm_triwulan);
      return;
    }
    say("skm-status", T.memuat);
    getJson("/skm/results?period=" + encodeURIComponent(period)).then(function (answer) {
      var rows = [];
      var body = answer.body || {};
      if (answer.body) {
        rows = Array.isArray(body) ? body : (body.unit || body.hasil || []);
        if (body.jakarta) { rows = [body.jakarta].concat(rows); }
      }
      showData("skm", rows.length > 0);
      if (answer.denied) { say("skm-status", T.tidak_berhak); }
      else if (!rows.length) { say("skm-status", T.belum_ada_data); }
      else { say("skm-status", ""); }
      fillTable("tabel-skm", rows, function (r) {
        return [name(r), num(r.ikm_konversi, 2), r.mutu || "–",
                (config.lang === "en" ? r.kinerja_en : r.kinerja) || "–",
                (r.responden == null ? "–" : r.responden) + " / " + (r.sampel_minimal == null ? "–" : r.sampel_minimal),
                (r.unsur_terlemah || []).join(", ")];
      });
      var main = body.jakarta || rows[0];
      if (main && main.nrr) {
        var codes = Object.keys(main.nrr).sort();
        var unsur = config.unsur || {};
        chart("grafik-unsur", { type: "bar", data: { labels: codes, datasets: [
          { label: "NRR · " + name(main), data: codes.map(function (c) { return main.nrr[c]; }), backgroundColor: "#00838f" }
        ] }, options: { scales: { y: { min: 0, max: 4 } }, plugins: { tooltip: { callbacks: {
          /* U1..U9 on the axis (phones), the element's name in the tooltip */
          title: function (items) { var c = items[0].label; return unsur[c] ? c + " " + unsur[c] : c; }
        } } } } });
      } else { clearChart("grafik-unsur"); }
    }).catch(function (error) { say("skm-status", T.gagal + " " + error.message); });
  }

  /* Reports received per kelurahan in the chosen period (GET /kinerja/kepadatan): the
     map's colours, its legend, and the table of the busiest kelurahan the server also
     rendered for readers without JavaScript. The map and its boundaries are made once;
     a new period recolours them. */
  var DENSITY_COLOURS = ["#ffffff", "#ffe0b2", "#ffb74d", "#f57c00", "#b71c1c"];
  var BUSIEST = 10;
  var density = { counts: {}, scale: [0], layer: null, map: null, boundaries: null };

  function densityColour(n) {
    var colour = DENSITY_COLOURS[0];
    density.scale.forEach(function (bound, i) { if (n >= bound) { colour = DENSITY_COLOURS[i]; } });
    return colour;
  }

  function densityLegend() {
    var legend = document.getElementById("legenda-kepadatan");
    legend.replaceChildren();
    density.scale.forEach(function (bound, i) {
      var next = density.scale[i + 1];
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = DENSITY_COLOURS[i];
      li.appendChild(swatch);
      var text = next === undefined ? "≥ " + bound : (next - 1 === bound ? String(bound) : bound + "–" + (next - 1));
      li.appendChild(document.createTextNode(" " + text));
      legend.appendChild(li);
    });
  }

  function densityTable(body) {
    var rows = Object.keys(body.kelurahan).map(function (code) { return [code, body.kelurahan[code]]; })
      .filter(function (row) { return row[1] > 0; })
      .sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); })
      .slice(0, BUSIEST);
    var tbody = document.querySelector("#tabel-kepadatan tbody");
    tbody.replaceChildren();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = units[row[0]] || row[0];
      var td = document.createElement("td");
      td.textContent = row[1];
      tr.appendChild(th);
      tr.appendChild(td);
      tbody.appendChild(tr);
    });
    var option = periodEl.options[periodEl.selectedIndex];
    var area = body.wilayah ? (units[body.wilayah] || body.wilayah) : "DKI Jakarta";
    say("kepadatan-judul", T.kepadatan_tabel.replace("{n}", rows.length) + " · " + area + ", " +
        (option ? option.text : ""));
    document.querySelector("#tabel-kepadatan tfoot th").textContent =
      T.kepadatan_jumlah.replace("{n}", Object.keys(body.kelurahan).length);
    say("kepadatan-total", String(body.jumlah));
  }

  function styleDensity(feature) {
    var n = density.counts[feature.properties.code] || 0;
    return { color: "#5c6f82", weight: 1, fillColor: densityColour(n), fillOpacity: 0.85 };
  }

  function loadDensity() {
    var el = document.getElementById("peta-kepadatan");
    if (!el) { return; }
    say("kepadatan-status", T.memuat);
    if (window.L && !density.map) {
      density.map = CRM.maps.create(el);
      density.boundaries = CRM.maps.boundaries(density.map, el.dataset.boundaries, styleDensity)
        .then(function (layer) {
          if (layer) {
            // A function returning a text node, not a string: Leaflet would read a string as HTML.
            layer.eachLayer(function (shape) {
              shape.bindTooltip(function () {
                var p = shape.feature.properties;
                return document.createTextNode((p.name || p.code) + ": " + (density.counts[p.code] || 0));
              });
            });
          }
          density.layer = layer;
          return layer;
        });
    }
    var source = el.dataset.source + "&period=" + encodeURIComponent(periodEl.value);
    var period = periodEl.value;
    getJson(source).then(function (answer) {
      if (period !== periodEl.value) { return; }  // a newer choice is loading
      if (!answer.body) { say("kepadatan-status", answer.denied ? T.tidak_berhak : T.belum_ada_data); return; }
      var body = answer.body;
      density.counts = body.kelurahan || {};
      density.scale = body.skala && body.skala.length ? body.skala : [0];
      densityTable(body);
      var text = body.jumlah ? T.kepadatan_status.replace("{n}", body.jumlah) : T.belum_ada_data;
      say("kepadatan-status", text);
      if (!density.map) { return; }
      densityLegend();
      return density.boundaries.then(function (layer) {
        if (layer) { layer.setStyle(styleDensity); }
        CRM.maps.ready(density.map, text);
      });
    }).catch(function (error) { say("kepadatan-status", T.gagal + " " + error.message); });
  }

  levelEl.addEventListener("change", loadKinerja);
  periodEl.addEventListener("change", function () { loadKinerja(); loadSkm(); loadDensity(); });
  loadKinerja();
  loadSkm();
  loadDensity();
})();

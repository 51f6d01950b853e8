// The quarantine sites on the map of the user's area (our own GeoJSON, no tile
// server), each a dot coloured by its occupancy; a click opens the site's page.
(function () {
  var el = document.getElementById("sites-map");
  if (!el || !window.echarts) return;
  var sites = JSON.parse(document.getElementById("sites-map-data").textContent);
  var chart = echarts.init(el);
  var mapName = "quarantine-" + el.dataset.code;
  fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (geo) {
      echarts.registerMap(mapName, geo);
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) {
          return p.name + (p.value ? "<br>" + el.dataset.occupancyLabel + ": " + p.value[2] + "%" : "");
        } },
        geo: { map: mapName, roam: true, itemStyle: { areaColor: "#f4f4f4", borderColor: "#999" } },
        visualMap: { min: 0, max: 100, dimension: 2, left: "left", bottom: 10, calculable: true,
                     text: [el.dataset.fullLabel, el.dataset.emptyLabel],
                     inRange: { color: ["#2e7d32", "#f9a825", "#c62828"] } },
        series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 12, data: sites }]
      });
      chart.on("click", function (p) { if (p.data && p.data.url) { window.location = p.data.url; } });
      el.setAttribute("data-ready", sites.length);
    })
    .catch(function (e) { el.textContent = el.dataset.errorLabel + " (" + e.message + ")"; });
  window.addEventListener("resize", function () { chart.resize(); });
})();

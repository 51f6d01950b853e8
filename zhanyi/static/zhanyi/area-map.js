// Draws the children of an area on an ECharts map from our own GeoJSON (no tile
// server), coloured by population; a click opens the area's page.
(function () {
  function draw(el) {
    const chart = echarts.init(el);
    const mapName = "area-" + el.dataset.code;
    fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geo) {
        echarts.registerMap(mapName, geo);
        const data = geo.features.map(function (f) {
          return { name: f.properties.name, value: f.properties.population, code: f.properties.code };
        });
        const max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) {
            return p.name + "<br>" + el.dataset.populationLabel + ": " + (p.value || 0).toLocaleString();
          } },
          visualMap: { min: 0, max: max, left: "left", bottom: 10, text: [el.dataset.highLabel, el.dataset.lowLabel],
                       inRange: { color: ["#fde0dc", "#c0392b"] }, calculable: true },
          series: [{ type: "map", map: mapName, roam: true, layoutCenter: ["50%", "50%"], layoutSize: "95%", data: data, nameProperty: "name",
                     label: { show: geo.features.length <= 30, fontSize: 11 },
                     emphasis: { label: { show: true } } }]
        });
        chart.on("click", function (p) {
          if (p.data && p.data.code && el.dataset.areaUrl) {
            window.location = el.dataset.areaUrl.replace("CODE", p.data.code);
          }
        });
        el.setAttribute("data-ready", geo.features.length);
      })
      .catch(function (e) { el.textContent = el.dataset.errorLabel + " (" + e.message + ")"; });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-area-map]").forEach(draw);
  });
})();

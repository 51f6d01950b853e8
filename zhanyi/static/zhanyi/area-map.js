// Draws the children of an area on an ECharts map from our own GeoJSON (no tile
// server), coloured by population; a click opens the area's page. With
// data-colour="risk" the areas are coloured by the risk tier in force over them
// (分区分级: the GeoJSON's "risk" property, colours in data-tier-colours) and the
// points in the JSON script named by data-points (name, lon, lat, label, kind)
// are drawn over them.
(function () {
  function populationOption(el, mapName, geo) {
    const data = geo.features.map(function (f) {
      return { name: f.properties.name, value: f.properties.population, code: f.properties.code };
    });
    const max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    return {
      tooltip: { trigger: "item", formatter: function (p) {
        return p.name + "<br>" + el.dataset.populationLabel + ": " + (p.value || 0).toLocaleString();
      } },
      visualMap: { min: 0, max: max, left: "left", bottom: 10, text: [el.dataset.highLabel, el.dataset.lowLabel],
                   inRange: { color: ["#fde0dc", "#c0392b"] }, calculable: true },
      series: [{ type: "map", map: mapName, roam: true, layoutCenter: ["50%", "50%"], layoutSize: "95%", data: data, nameProperty: "name",
                 label: { show: geo.features.length <= 30, fontSize: 11 },
                 emphasis: { label: { show: true } } }]
    };
  }

  function riskOption(el, mapName, geo) {
    const colours = JSON.parse(el.dataset.tierColours || "{}");
    const script = el.dataset.points ? document.getElementById(el.dataset.points) : null;
    const points = script ? JSON.parse(script.textContent) : [];
    const data = geo.features.map(function (f) {
      return { name: f.properties.name, code: f.properties.code, label: f.properties.risk_label };
    });
    // A map series drawn on a geo component takes its colours from the regions.
    const regions = geo.features.filter(function (f) { return f.properties.risk; }).map(function (f) {
      return { name: f.properties.name, itemStyle: { areaColor: colours[f.properties.risk] } };
    });
    return {
      tooltip: { trigger: "item", formatter: function (p) {
        return p.name + (p.data && p.data.label ? "<br>" + p.data.label : "");
      } },
      geo: { map: mapName, roam: true, layoutCenter: ["50%", "50%"], layoutSize: "95%",
             label: { show: geo.features.length <= 30, fontSize: 11 },
             itemStyle: { areaColor: "#f4f6f7", borderColor: "#95a5a6" }, regions: regions },
      series: [
        { type: "map", geoIndex: 0, data: data },
        { type: "scatter", coordinateSystem: "geo", symbolSize: 9,
          data: points.map(function (p) {
            return { name: p.name, value: [p.lon, p.lat], label: p.label,
                     itemStyle: { color: colours[p.kind] || "#2c3e50" } };
          }) }
      ]
    };
  }

  function draw(el) {
    const chart = echarts.init(el);
    const mapName = "area-" + el.dataset.code;
    fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geo) {
        echarts.registerMap(mapName, geo);
        const risk = el.dataset.colour === "risk";
        chart.setOption(risk ? riskOption(el, mapName, geo) : populationOption(el, mapName, geo));
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

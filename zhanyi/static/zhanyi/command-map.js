// The command map (the zones page, the big screen): the children of an area
// from our own GeoJSON as the base (no tile server), and over it the layers of
// /api/v1/command/map/… (a JSON script named by data-layers: name, label, url):
// the zones in force by tier, drawn at the level each was declared (an area by
// its boundary, a drawn outline as drawn, a place as a point), the cases, the
// quarantine sites, the checkpoints and the testing sites. Each layer (each
// tier) is a legend entry that shows or hides it. data-refresh="30" fetches
// the layers again every 30 s. With data-draw="ID" a click adds a corner of an
// outline, written as a GeoJSON Polygon into the textarea ID.
(function () {
  const SYMBOLS = { cases: "circle", quarantine_sites: "rect", checkpoints: "triangle",
                    testing_sites: "diamond" };
  const COLOURS = { cases: "#8e44ad", quarantine_sites: "#16a085", checkpoints: "#2c3e50",
                    testing_sites: "#2980b9" };

  function outerRings(geometry) {
    if (geometry.type === "Polygon") { return [geometry.coordinates[0]]; }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.map(function (p) { return p[0]; });
    }
    return [];
  }

  function fill(words, text, values) {
    return (words[text] || text).replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }

  function tip(words, name, p) {
    if (name === "zones") {
      return p.zone + "<br>" + p.tier_label + " · " + p.name;
    }
    if (name === "cases") {
      return (p.name ? p.name + "<br>" : "") + p.classification_label + " · " + p.village +
        "<br>" + fill(words, "reported", p);
    }
    if (name === "quarantine_sites") {
      return p.name + "<br>" + fill(words, "occupancy", p);
    }
    if (name === "checkpoints") {
      return p.name + " · " + p.kind_label + "<br>" + fill(words, "flow", p);
    }
    if (name === "testing_sites") {
      return p.name + " · " + p.village + "<br>" + fill(words, "samples", p);
    }
    return p.name || "";
  }

  function polygonSeries(name, colour, items, z) {
    return { type: "custom", name: name, coordinateSystem: "geo", geoIndex: 0, z: z,
      data: items, itemStyle: { color: colour },
      renderItem: function (params, api) {
        const item = items[params.dataIndex];
        return { type: "polygon", shape: { points: item.ring.map(function (c) { return api.coord(c); }) },
                 style: { fill: colour, opacity: item.outline ? 0.35 : 0.45, stroke: colour,
                          lineWidth: item.outline ? 2 : 1, lineDash: item.outline ? [4, 3] : null } };
      } };
  }

  function pointSeries(name, colour, symbol, items, z, size) {
    return { type: "scatter", name: name, coordinateSystem: "geo", geoIndex: 0, z: z,
             symbol: symbol, symbolSize: size || 10, itemStyle: { color: colour, borderColor: "#fff" },
             data: items };
  }

  // The zones layer: one polygon and one point series per tier, both under
  // the tier's legend entry.
  function zoneSeries(words, colours, features, z) {
    const tiers = {};
    features.forEach(function (f) {
      const p = f.properties;
      const t = tiers[p.tier] || (tiers[p.tier] = { label: p.tier_label, polygons: [], points: [] });
      const text = tip(words, "zones", p);
      if (f.geometry.type === "Point") {
        t.points.push({ name: p.name, value: f.geometry.coordinates, tip: text });
      } else {
        outerRings(f.geometry).forEach(function (ring) {
          t.polygons.push({ name: p.name, value: ring[0], ring: ring, tip: text, outline: p.level === "outline" });
        });
      }
    });
    const out = [];
    Object.keys(tiers).forEach(function (tier, i) {
      const t = tiers[tier];
      const colour = colours[tier] || "#7f8c8d";
      out.push(polygonSeries(t.label, colour, t.polygons, z + i));
      out.push(pointSeries(t.label, colour, "circle", t.points, z + 10, 16));
    });
    return out;
  }

  function layerSeries(words, colours, layer, body) {
    if (layer.name === "zones") { return zoneSeries(words, colours, body.features, 2); }
    const items = body.features.map(function (f) {
      const p = f.properties;
      return { name: p.name || "", value: f.geometry.coordinates, tip: tip(words, layer.name, p) };
    });
    return [pointSeries(layer.label, COLOURS[layer.name] || "#34495e", SYMBOLS[layer.name] || "pin",
                        items, 20, layer.name === "cases" ? 8 : 11)];
  }

  function draw(el) {
    const chart = echarts.init(el, el.dataset.theme || null);
    const layers = JSON.parse(document.getElementById(el.dataset.layers).textContent);
    const words = JSON.parse(el.dataset.words || "{}");
    const colours = JSON.parse(el.dataset.tierColours || "{}");
    // A map name of its own: the zones page draws two maps of one area, and
    // registering the second under the first's name while the first lays
    // itself out left the first without its regions ("Cannot read properties
    // of null" inside ECharts, seen on a busy machine).
    const mapName = "command-" + el.dataset.code + "-" + el.id;
    const dark = el.dataset.theme === "dark";
    let drawn = [];
    let layerSeriesNow = [];

    function drawnSeries() {
      if (!drawn.length) { return []; }
      const ring = drawn.concat([drawn[0]]);
      return [{ type: "custom", name: "drawn", coordinateSystem: "geo", geoIndex: 0, z: 30, silent: true,
        data: [{ value: drawn[0] }],
        renderItem: function (params, api) {
          return { type: drawn.length > 2 ? "polygon" : "polyline",
                   shape: { points: ring.map(function (c) { return api.coord(c); }) },
                   style: { fill: drawn.length > 2 ? "rgba(192,57,43,0.25)" : null, stroke: "#c0392b",
                            lineWidth: 2 } };
        } },
        pointSeries("drawn", "#c0392b", "circle", drawn.map(function (c) { return { value: c }; }), 31, 6)];
    }

    function render() {
      chart.setOption({ series: layerSeriesNow.concat(drawnSeries()) }, { replaceMerge: ["series"] });
    }

    function loadLayers() {
      return Promise.all(layers.map(function (layer) {
        return fetch(layer.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
          .then(function (body) { return layerSeries(words, colours, layer, body); });
      })).then(function (all) {
        layerSeriesNow = [].concat.apply([], all);
        const names = [];
        layerSeriesNow.forEach(function (s) { if (names.indexOf(s.name) < 0) { names.push(s.name); } });
        chart.setOption({ legend: { data: names } });
        render();
        el.setAttribute("data-layers-ready", layerSeriesNow.length);
      });
    }

    fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geo) {
        if (!geo.features.length) {
          // No boundaries loaded (the first day): nothing to draw the layers on.
          el.textContent = el.dataset.emptyLabel || "";
          el.setAttribute("data-ready", 0);
          return null;
        }
        echarts.registerMap(mapName, geo);
        chart.setOption({
          backgroundColor: dark ? "transparent" : null,
          tooltip: { trigger: "item", formatter: function (p) { return (p.data && p.data.tip) || p.name; } },
          legend: { type: "scroll", bottom: 0, textStyle: { color: dark ? "#ecf0f1" : "#2c3e50" } },
          geo: { map: mapName, roam: true, layoutCenter: ["50%", "48%"], layoutSize: "92%",
                 label: { show: geo.features.length <= 30, fontSize: 10, color: dark ? "#bdc3c7" : "#555" },
                 itemStyle: { areaColor: dark ? "#1c2833" : "#f4f6f7", borderColor: dark ? "#566573" : "#95a5a6" },
                 emphasis: { itemStyle: { areaColor: dark ? "#273746" : "#eaecee" } } },
          series: []
        });
        el.setAttribute("data-ready", geo.features.length);
        return loadLayers();
      })
      .catch(function (e) { el.textContent = el.dataset.errorLabel + " (" + e.message + ")"; });

    if (el.dataset.refresh) {
      setInterval(function () { loadLayers().catch(function () {}); }, 1000 * Number(el.dataset.refresh));
    }
    const target = el.dataset.draw ? document.getElementById(el.dataset.draw) : null;
    if (target) {
      const write = function () {
        target.value = drawn.length > 2
          ? JSON.stringify({ type: "Polygon", coordinates: [drawn.concat([drawn[0]])] }) : "";
        render();
      };
      chart.getZr().on("click", function (e) {
        if (!chart.containPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY])) { return; }
        const c = chart.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]);
        // While the map redraws (its layers refresh) there is no coordinate
        // system to convert through: the tap is not a corner.
        if (!c || !isFinite(c[0]) || !isFinite(c[1])) { return; }
        drawn.push([Math.round(c[0] * 1e6) / 1e6, Math.round(c[1] * 1e6) / 1e6]);
        write();
      });
      document.querySelectorAll("[data-draw-undo='" + el.id + "']").forEach(function (b) {
        b.addEventListener("click", function () { drawn.pop(); write(); });
      });
      document.querySelectorAll("[data-draw-clear='" + el.id + "']").forEach(function (b) {
        b.addEventListener("click", function () { drawn = []; write(); });
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-command-map]").forEach(draw);
  });
})();

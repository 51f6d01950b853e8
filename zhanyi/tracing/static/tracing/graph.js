// Chains of transmission (传播链): an ECharts force graph of cases and contacts.
(function () {
  function draw(el) {
    const chart = echarts.init(el);
    const names = el.dataset.categories.split("|");
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (g) {
        // Companions (the fifth category) can be hundreds around one case and
        // hide the chain itself; on a crowded graph they start hidden and the
        // legend turns them on.
        const selected = {};
        selected[names[4]] = g.nodes.length <= 60;
        // Infection edges (source → case, 溯源) stand apart from exposure edges.
        g.links.forEach(function (l) {
          if (l.kind === "infection") {
            l.lineStyle = { color: "#c0392b", width: 3, type: "solid", opacity: 0.9 };
            l.symbol = ["none", "arrow"];
            l.symbolSize = 10;
          } else {
            l.lineStyle = { type: "dashed", opacity: 0.4 };
          }
        });
        chart.setOption({
          tooltip: {},
          legend: [{ data: names, selected: selected }],
          series: [{
            type: "graph", layout: "force", roam: true, draggable: true,
            categories: names.map(function (n) { return { name: n }; }),
            data: g.nodes, links: g.links,
            force: { repulsion: 60, edgeLength: 30 },
            // Every case is named; contacts too while the graph is small.
            label: { show: g.nodes.length <= 60, position: "right", fontSize: 11 },
            cursor: "pointer",
            lineStyle: { opacity: 0.5 }
          }]
        });
        // A node opens its case's page or its person's page.
        chart.on("click", function (params) {
          if (params.dataType === "node" && params.data.url) {
            window.location.href = params.data.url;
          }
        });
        el.setAttribute("data-ready", g.nodes.length);
        if (g.truncated) {
          const p = document.createElement("p");
          p.className = "muted";
          p.textContent = el.dataset.truncated;
          el.after(p);
        }
      })
      .catch(function () { el.setAttribute("data-error", "1"); });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll(".tracing-graph").forEach(draw);
})();

// The round dashboard's charts: coverage by area (stacked bars) and the
// median hours of each stage of the sample-to-report chain per site.
(function () {
  var data = JSON.parse(document.getElementById("round-chart-data").textContent);
  if (!window.echarts) return;
  var cov = echarts.init(document.getElementById("coverage-chart"));
  cov.setOption({
    tooltip: { trigger: "axis" },
    legend: {},
    grid: { left: 100, right: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.areas },
    series: [
      { name: data.labels.tested, type: "bar", stack: "a", data: data.tested, color: "#2e7d32" },
      { name: data.labels.sampled, type: "bar", stack: "a", data: data.sampled, color: "#f9a825" },
      { name: data.labels.due, type: "bar", stack: "a", data: data.due, color: "#c62828" }
    ]
  });
  var tat = echarts.init(document.getElementById("turnaround-chart"));
  tat.setOption({
    tooltip: { trigger: "axis" },
    legend: {},
    xAxis: { type: "category", data: data.stages },
    yAxis: { type: "value", name: data.labels.median },
    series: data.sites.map(function (s) { return { name: s.name, type: "bar", data: s.values }; })
  });
  window.addEventListener("resize", function () { cov.resize(); tat.resize(); });
})();

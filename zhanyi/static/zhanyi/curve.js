// The epidemic curve: cases per day stacked by area, Rt with its 95% band, the projection.
window.zhanyiCurve = function () {
  const box = document.getElementById("curve-chart");
  const source = document.getElementById("curve-data");
  if (!box || !source || !window.echarts) return;
  if (!box.style.height && !box.offsetHeight) box.style.height = "420px";
  const data = JSON.parse(source.textContent);
  const label = box.dataset;
  const days = data.days.slice();
  const last = days.length ? new Date(days[days.length - 1]) : null;
  data.projection.forEach(function (_v, i) {
    const d = new Date(last.getTime() + (i + 1) * 86400000);
    days.push(d.toISOString().slice(0, 10));
  });
  const pad = function (values) {
    return values.concat(new Array(days.length - values.length).fill(null));
  };
  const series = data.parts.map(function (part) {
    return { name: part.name, type: "bar", stack: "cases", data: pad(part.cases) };
  });
  series.push({
    name: label.labelProjection,
    type: "bar",
    stack: "cases",
    itemStyle: { opacity: 0.35 },
    data: new Array(data.total.length).fill(null).concat(data.projection),
  });
  series.push({ name: label.labelBand, type: "line", yAxisIndex: 1, data: pad(data.rt.low),
    lineStyle: { opacity: 0 }, stack: "band", symbol: "none" });
  series.push({
    name: label.labelBand, type: "line", yAxisIndex: 1, stack: "band", symbol: "none",
    lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.2 },
    data: pad(data.rt.high.map(function (h, i) {
      return h === null || data.rt.low[i] === null ? null : h - data.rt.low[i];
    })),
  });
  series.push({ name: label.labelRt, type: "line", yAxisIndex: 1, data: pad(data.rt.mean), symbol: "none" });
  const dark = document.body.classList.contains("screen");
  const chart = echarts.init(box, dark ? "dark" : null);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll" },
    xAxis: { type: "category", data: days },
    yAxis: [{ type: "value", name: label.labelCases }, { type: "value", name: "Rt" }],
    series: series,
  });
  window.addEventListener("resize", function () { chart.resize(); });
};
window.zhanyiCurve();

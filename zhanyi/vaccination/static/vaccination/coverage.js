// Vaccination coverage: first dose and full course per area and per age band, with the targets.
(function () {
  const source = document.getElementById("coverage-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const labels = (document.getElementById("coverage-areas") || {}).dataset || {};
  function draw(id, names, first, full) {
    const box = document.getElementById(id);
    if (!box || !names.length) return;
    if (!box.offsetHeight) box.style.height = "320px";
    const chart = echarts.init(box);
    const target = function (value) {
      return { yAxis: value, name: labels.targetLabel, label: { formatter: value + "%" } };
    };
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, bottom: 60, containLabel: true },
      // Slanted names when they would run into each other (many, or a phone's width).
      xAxis: { type: "category", data: names,
        axisLabel: { interval: 0, rotate: names.length > 6 || box.clientWidth < names.length * 90 ? 40 : 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: labels.firstLabel, type: "bar", data: first,
          markLine: { symbol: "none", data: [target(data.first_target)] } },
        { name: labels.fullLabel, type: "bar", data: full,
          markLine: { symbol: "none", data: [target(data.full_target)] } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("coverage-areas", data.areas, data.area_first, data.area_full);
  draw("coverage-bands", data.bands, data.band_first, data.band_full);
})();

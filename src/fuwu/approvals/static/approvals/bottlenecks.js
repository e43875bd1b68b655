(function () {
  const d = JSON.parse(document.getElementById("bottleneck-data").textContent);
  if (!window.echarts) return;
  const a = echarts.init(document.getElementById("steps-chart"));
  a.setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 50, right: 20, top: 40, bottom: 60, containLabel: true},
    xAxis: {type: "category", data: d.steps, axisLabel: {interval: 0, rotate: 20}}, yAxis: {type: "value"},
    series: [
      {name: d.names.working, type: "bar", stack: "t", data: d.working},
      {name: d.names.waiting, type: "bar", stack: "t", data: d.waiting},
      {name: d.names.median, type: "line", data: d.median},
      {name: d.names.p90, type: "line", lineStyle: {type: "dashed"}, data: d.p90},
    ],
  });
  const hours = Array.from({length: 24}, (_, i) => String(i));
  const max = Math.max(1, ...d.heat.map(x => x[2]));
  const b = echarts.init(document.getElementById("heat-chart"));
  b.setOption({
    tooltip: {formatter: p => d.days[p.value[1]] + " " + p.value[0] + ":00 · " + d.names.count + " " + p.value[2] + " · " + d.names.median + " " + p.value[3]},
    grid: {left: 50, right: 20, top: 10, bottom: 60, containLabel: true},
    xAxis: {type: "category", data: hours}, yAxis: {type: "category", data: d.days},
    visualMap: {dimension: 2, min: 0, max: max, orient: "horizontal", left: "center", bottom: 0, calculable: true},
    series: [{type: "heatmap", data: d.heat, label: {show: false}}],
  });
  window.addEventListener("resize", () => { a.resize(); b.resize(); });
})();

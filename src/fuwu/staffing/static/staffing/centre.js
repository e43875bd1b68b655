(function () {
  const data = JSON.parse(document.getElementById("intraday-data").textContent);
  const el = document.getElementById("intraday-chart");
  if (!window.echarts || !data.labels.length) { el.style.display = "none"; return; }
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 40, right: 40, top: 30, bottom: 30},
    xAxis: {type: "category", data: data.labels},
    yAxis: [{type: "value", name: data.names.calls}, {type: "value", name: data.names.agents}],
    series: [
      {name: data.names.offered, type: "bar", data: data.offered},
      {name: data.names.forecast, type: "line", data: data.forecast},
      {name: data.names.agents, type: "line", yAxisIndex: 1, step: "middle", data: data.agents},
      {name: data.names.required, type: "line", yAxisIndex: 1, step: "middle", lineStyle: {type: "dashed"}, data: data.required},
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();

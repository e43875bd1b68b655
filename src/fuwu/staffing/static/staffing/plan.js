// The plan's week chart: forecast arrivals against required and rostered staff (data from #plan-chart-data).
(function () {
  const data = JSON.parse(document.getElementById("plan-chart-data").textContent);
  const el = document.getElementById("plan-chart");
  if (!window.echarts || !data.labels.length) { el.style.display = "none"; return; }
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 40, right: 40, top: 30, bottom: 40},
    dataZoom: [{type: "inside"}, {type: "slider", height: 14, bottom: 4}],
    xAxis: {type: "category", data: data.labels},
    yAxis: [{type: "value", name: data.names.arrivals}, {type: "value", name: data.names.staff}],
    series: [
      {name: data.names.forecast, type: "bar", data: data.forecast},
      {name: data.names.required, type: "line", yAxisIndex: 1, step: "middle", lineStyle: {type: "dashed"}, data: data.required},
      {name: data.names.rostered, type: "line", yAxisIndex: 1, step: "middle", data: data.rostered},
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();

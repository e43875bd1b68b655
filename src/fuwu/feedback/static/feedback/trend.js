// The F6 sentiment trend: a stacked bar per day (or week) and sentiment from the JSON the page embeds;
// clicking a bar opens the list of the messages behind it (the hrefs are built by the server).
(function () {
  "use strict";
  const source = document.getElementById("trend-data");
  const el = document.getElementById("trend-chart");
  if (!source || !el || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const colours = { positive: "#2e7d32", neutral: "#9e9e9e", negative: "#c62828" };
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 28, containLabel: true },
    xAxis: { type: "category", data: data.days, axisLabel: { formatter: (d) => d.slice(5) } },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map((s) => ({
      id: s.key, name: s.name, type: "bar", stack: "all", data: s.data, itemStyle: { color: colours[s.key] },
      cursor: "pointer", barMaxWidth: 48,
    })),
  });
  chart.on("click", (params) => {
    const row = data.hrefs[params.dataIndex];
    const href = row && row[params.seriesIndex];
    if (href) window.location.href = href;
  });
  window.addEventListener("resize", () => chart.resize());
})();

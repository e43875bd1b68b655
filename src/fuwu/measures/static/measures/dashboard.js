// Draws the dashboard's trend and league charts from the JSON the page embeds; a league bar drills down.
(function () {
  "use strict";
  const source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const charts = [];

  const trendEl = document.getElementById("trend-chart");
  if (trendEl) {
    const chart = echarts.init(trendEl);
    const series = [{
      // Straight segments between real points only: no curve overshooting the data, no line past today.
      name: data.name, type: "line", smooth: false, connectNulls: false, showSymbol: data.series.length <= 40,
      data: data.series.map((p) => [p.x, p.y]),
    }];
    if (data.target !== null) {
      series[0].markLine = { symbol: "none", data: [{ yAxis: data.target, name: "target" }],
        lineStyle: { type: "dashed", color: "#2e7d32" }, label: { formatter: "{c}" } };
    }
    chart.setOption({
      tooltip: { trigger: "axis" }, grid: { left: 48, right: 24, top: 24, bottom: 32 },
      xAxis: { type: "category" }, yAxis: { type: "value", name: data.unit, scale: true }, series: series,
    });
    charts.push(chart);
  }

  const leagueEl = document.getElementById("league-chart");
  if (leagueEl && data.league.length) {
    const rows = data.league.filter((r) => r.value !== null);
    const chart = echarts.init(leagueEl);
    chart.setOption({
      tooltip: {}, grid: { left: 110, right: 24, top: 12, bottom: 24 },
      xAxis: { type: "value", name: data.unit }, yAxis: { type: "category", data: rows.map((r) => r.name), inverse: true },
      series: [{ type: "bar", data: rows.map((r) => r.value), itemStyle: { color: "#c62828" } }],
    });
    chart.on("click", (params) => {
      const href = rows[params.dataIndex] && rows[params.dataIndex].href;
      if (href) window.location.search = href.slice(1);
    });
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();

/* Dashboard charts (plotly.js served from the plotly wheel, no CDN) and the sortable table. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var layoutBase = { margin: { t: 10, r: 10, b: 80, l: 50 }, legend: { orientation: "h", y: 1.12 },
                     font: { family: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif", size: 12 } };
  var config = { displaylogo: false, responsive: true, locale: "zh-CN",  // plotly-zh-cn.js
                 modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"] };

  function layout(extra) { return Object.assign({}, layoutBase, extra || {}); }
  function bars(series, percent) {
    return series.map(function (s) {
      return { type: "bar", name: s.name, x: data.names,
               y: s.values.map(function (v) { return v === null ? null : (percent ? v * 100 : v); }),
               hovertemplate: percent ? "%{x}: %{y:.1f}%<extra>" + s.name + "</extra>" : undefined };
    });
  }
  function draw(id, traces, lay) {
    var el = document.getElementById(id);
    return Plotly.newPlot(el, traces, lay, config).then(function (gd) {
      el.setAttribute("data-rendered", String(gd.data.length));
      return gd;
    });
  }

  var charts = [
    draw("chart-tiers", bars(data.tiers, false), layout({ barmode: "stack" })),
    draw("chart-coverage", bars(data.coverage, true), layout({ barmode: "group", yaxis: { ticksuffix: "%", range: [0, 100] } })),
    draw("chart-trend", data.trend.map(function (s) {
      return { type: "scatter", mode: "lines", name: s.name, x: data.months, y: s.values };
    }), layout({ xaxis: { type: "category", nticks: 12 } })),
    draw("chart-rates", bars(data.rates, true), layout({ barmode: "group", yaxis: { ticksuffix: "%", range: [0, 100] } })),
  ];
  Promise.all(charts).then(function () { document.body.setAttribute("data-charts-ready", "true"); });

  // Sortable table: click a header; numbers sort numerically (empty last), text by pinyin order.
  var table = document.getElementById("rows");
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, index) {
    th.addEventListener("click", function () {
      var descending = th.getAttribute("aria-sort") !== "descending";
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var numeric = th.getAttribute("data-type") === "number";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[index], y = b.cells[index];
        if (numeric) {
          var vx = x.getAttribute("data-value"), vy = y.getAttribute("data-value");
          if (vx === "" && vy === "") return 0;
          if (vx === "") return 1;
          if (vy === "") return -1;
          return descending ? parseFloat(vy) - parseFloat(vx) : parseFloat(vx) - parseFloat(vy);
        }
        var c = x.textContent.localeCompare(y.textContent, "zh-Hans-CN");
        return descending ? -c : c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();

/* Chinese for the chart toolbar (plotly.js modebar, tooltips and notices). The plotly
   wheel ships plotly.min.js without its locale files, so the dictionary lives here;
   dashboard.js sets config.locale = "zh-CN". */
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  Plotly.register({
    moduleType: "locale",
    name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放",
      "Box Select": "矩形框选",
      "Compare data on hover": "悬停时比较数据",
      "Download plot": "下载图表",
      "Download plot as a PNG": "下载图表（PNG 图片）",
      "Download plot as JSON": "下载图表（JSON）",
      "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
      "Snapshot succeeded": "图片已生成",
      "Sorry, there was a problem downloading your snapshot!": "抱歉，下载图片时出了问题",
      "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
      "Lasso Select": "套索选择",
      "Pan": "平移",
      "Reset": "重置",
      "Reset axes": "重置坐标轴",
      "Reset view": "重置视图",
      "Reset views": "重置视图",
      "Show closest data on hover": "悬停时显示最近的数据",
      "Toggle show closest data on hover": "切换悬停显示最近数据",
      "Toggle Spike Lines": "切换辅助线",
      "Zoom": "缩放",
      "Zoom in": "放大",
      "Zoom out": "缩小",
      "Double-click to zoom back out": "双击恢复原大小",
      "Click to enter Colorscale title": "点击输入色标标题",
      "Click to enter Plot title": "点击输入图表标题",
      "Click to enter X axis title": "点击输入 X 轴标题",
      "Click to enter Y axis title": "点击输入 Y 轴标题",
      "trace": "数据系列"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      date: "%Y-%m-%d",
      decimal: ".",
      thousands: ","
    }
  });
})();

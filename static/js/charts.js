// Draws every chart of templates/crm/chart.html with the vendored Apache ECharts (canvas).
// The data comes from the json_script next to the chart (crm/charts.py, Chart.as_data); the
// same numbers are in the table under it. Runs on load and after every htmx swap.
(function () {
  "use strict";
  if (!window.echarts) { return; }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // Bootstrap 5's palette, read from its CSS variables so a theme change follows.
  function palette() {
    return [
      cssVar("--bs-primary", "#0d6efd"), cssVar("--bs-success", "#198754"),
      cssVar("--bs-warning", "#ffc107"), cssVar("--bs-danger", "#dc3545"),
      cssVar("--bs-info", "#0dcaf0"), cssVar("--bs-secondary", "#6c757d"),
      cssVar("--bs-indigo", "#6610f2"), cssVar("--bs-teal", "#20c997"),
    ];
  }

  var lang = (document.documentElement.lang || "en").toLowerCase();
  var numbers = new Intl.NumberFormat(lang.indexOf("zh") === 0 ? "zh-CN" : lang);

  function formatter(unit) {
    return function (value) {
      if (value === null || value === undefined || value === "-") { return "—"; }
      var text = numbers.format(value);
      if (!unit) { return text; }
      return unit === "%" ? text + unit : text + " " + unit;
    };
  }

  // Drawn on the canvas: ECharts' HTML tooltip writes style="" attributes the CSP blocks.
  function tooltip(trigger, unit) {
    return { trigger: trigger, renderMode: "richText", valueFormatter: formatter(unit) };
  }

  function hasValues(data) {
    return (data.series || []).some(function (s) {
      return (s.values || []).some(function (v) { return v !== null; });
    });
  }

  function safeLink(link) {
    // Only a path on this site (crm/charts.py checks it too).
    return typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/" ? link : "";
  }

  function cartesian(data) {
    var stacked = data.kind === "stacked_bar";
    var type = data.kind === "line" ? "line" : "bar";
    var slanted = type === "bar" && data.labels.length > 4;
    return {
      legend: { show: data.series.length > 1, top: 0, type: "scroll" },
      // A slanted first label reaches left of the axis: room for it.
      grid: { left: slanted ? 72 : 8, right: 16, top: data.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      tooltip: tooltip("axis", data.unit),
      xAxis: {
        type: "category",
        data: data.labels,
        axisTick: { alignWithLabel: true },
        // Every category named (no label silently skipped); long lists slanted to fit.
        axisLabel: { interval: 0, rotate: slanted ? 30 : 0 },
      },
      yAxis: {
        type: "value",
        name: data.unit || "",
        max: data.yMax === null ? undefined : data.yMax,
        axisLabel: { formatter: function (v) { return numbers.format(v); } },
      },
      series: data.series.map(function (s) {
        var series = {
          name: s.name,
          type: type,
          data: s.values,
          cursor: s.links ? "pointer" : "default",
        };
        if (type === "line") {
          series.smooth = false;
          series.showSymbol = true;
          series.symbolSize = 7;
        }
        if (stacked) { series.stack = "total"; }
        return series;
      }),
    };
  }

  function funnel(data) {
    var s = data.series[0];
    var items = [];
    data.labels.forEach(function (label, i) {
      if (s.values[i] === null) { return; }
      items.push({ name: label, value: s.values[i], link: s.links ? s.links[i] : "" });
    });
    return {
      tooltip: tooltip("item", data.unit),
      series: [{
        name: s.name,
        type: "funnel",
        sort: "none",  // the stages' own order, as the labels give it
        left: "5%", width: "55%", top: 8, bottom: 8,
        // ECharts' funnel otherwise assumes 100 is the widest stage.
        max: data.yMax === null ? Math.max.apply(null, items.map(function (d) { return d.value; })) : data.yMax,
        min: 0,
        label: {
          show: true,
          position: "right",  // beside the shape: a narrow stage still reads
          formatter: function (p) { return p.name + ": " + formatter(data.unit)(p.value); },
        },
        data: items,
      }],
    };
  }

  function draw(el) {
    if (echarts.getInstanceByDom(el)) { return; }
    var script = document.getElementById(el.dataset.chart);
    if (!script) { return; }
    var data;
    try {
      data = JSON.parse(script.textContent);
    } catch (e) {
      return;
    }
    if (!data || !data.labels || !data.labels.length || !hasValues(data)) {
      el.classList.add("crm-chart-empty");  // the table under it says "No data"
      return;
    }
    var chart = echarts.init(el, null, { renderer: "canvas", locale: lang.indexOf("zh") === 0 ? "ZH" : "EN" });
    var option = data.kind === "funnel" ? funnel(data) : cartesian(data);
    option.color = palette();
    option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    option.textStyle = { fontFamily: cssVar("--bs-body-font-family", "sans-serif") };
    chart.setOption(option);
    chart.on("click", function (params) {
      var link = data.kind === "funnel"
        ? params.data && params.data.link
        : (data.series[params.seriesIndex].links || [])[params.dataIndex];
      link = safeLink(link);
      if (link) { window.location.assign(link); }
    });
  }

  function drawAll() {
    document.querySelectorAll(".crm-chart[data-chart]").forEach(draw);
  }

  function resizeAll() {
    document.querySelectorAll(".crm-chart[data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(resizeAll, 100);
  });

  // A chart htmx swaps out is disposed of, so its instance is not kept alive.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var el = event.target;
    if (el.matches && el.matches(".crm-chart[data-chart]")) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) { chart.dispose(); }
    }
  });
  document.addEventListener("htmx:afterSettle", drawAll);

  // Printing shows the tables unfolded (css/charts.css hides the canvas), then folds them back.
  var unfolded = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.crm-chart-numbers:not([open])").forEach(function (d) {
      d.open = true;
      unfolded.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    unfolded.forEach(function (d) { d.open = false; });
    unfolded = [];
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

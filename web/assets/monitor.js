// Draws the monitor's charts with uPlot from each chart's JSON. The table
// view under every chart holds the same figures, so the page says the same
// without this script.
(function () {
  "use strict";
  window.rarexCharts = { drawn: 0, errors: [] };
  var palette = ["#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad"];
  document.querySelectorAll(".chart[data-src]").forEach(function (el) {
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(el.dataset.src + ": " + r.status); } return r.json(); })
      .then(function (c) {
        var xs = c.labels.map(function (_, i) { return i; });
        var bars = c.kind === "bars";
        var series = [{}].concat(c.series.map(function (s, i) {
          var o = { label: s.label, stroke: palette[i % palette.length], width: 2 };
          if (bars) {
            o.fill = palette[i % palette.length] + "99";
            o.paths = uPlot.paths.bars({ size: [0.6, 80] });
            o.points = { show: false };
          }
          return o;
        }));
        var data = [xs].concat(c.series.map(function (s) { return s.values; }));
        var opts = {
          width: Math.min(el.clientWidth || 640, 900), height: 260,
          scales: {
            x: { time: false, range: [-0.5, xs.length - 0.5] },
            // Bars and prices start from zero: a cut axis exaggerates differences.
            y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } },
          },
          axes: [{ values: function (u, ticks) { return ticks.map(function (t) { return c.labels[t] || ""; }); }, incrs: [1],
                   rotate: c.labels.length > 5 ? -25 : 0, size: c.labels.length > 5 ? 70 : 40 },
                 { label: c.unit, size: 60 }],
          series: series,
        };
        new uPlot(opts, data, el);
        window.rarexCharts.drawn++;
      })
      .catch(function (err) {
        window.rarexCharts.errors.push(String(err));
        el.textContent = String(err);
      });
  });
})();

// Task page charts (progressive enhancement: every figure is also in the page's tables and captions).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  function width(el) { return Math.max(280, el.clientWidth); }
  function money(v) { return v == null ? "" : "$" + (v >= 100 ? Math.round(v).toLocaleString() : v.toFixed(2)); }
  function tokens(v) { return v >= 1e6 ? (v / 1e6).toFixed(1) + "M" : v >= 1e3 ? Math.round(v / 1e3) + "k" : String(Math.round(v)); }

  var q = document.getElementById("quality-chart");
  if (q && window.uPlot) {
    var xs = [], tail = [], rest = [];
    for (var i = 0; i < data.quality.length; i++) {
      xs.push(i / 100);
      var inTail = i / 100 <= data.cut + 1e-9;
      tail.push(inTail ? data.quality[i] : null);
      rest.push(inTail ? null : data.quality[i]);
    }
    var bars = uPlot.paths.bars({ size: [0.9, 12] });
    new uPlot({ width: width(q), height: 200, legend: { show: true },
      scales: { x: { time: false, range: [0, 1.01] } },
      axes: [{ label: "effective quality" }, { label: "traces", size: 60 }],
      series: [{}, { label: "worst 5%", fill: "#dc2626", stroke: "#dc2626", paths: bars, points: { show: false } },
               { label: "other traces", fill: "#94a3b8", stroke: "#94a3b8", paths: bars, points: { show: false } }]
    }, [xs, tail, rest], q);
  }

  var c = document.getElementById("cost-chart");
  if (c && window.uPlot) {
    var marks = function (u) {
      var ctx = u.ctx;
      [[data.current, "#2456c8", "now"], [data.breakEven, "#c2410c", "break-even"]].forEach(function (m) {
        if (!m[0]) { return; }
        var x = u.valToPos(m[0], "x", true);
        ctx.save(); ctx.strokeStyle = m[1]; ctx.setLineDash([5, 4]); ctx.beginPath();
        ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillStyle = m[1]; ctx.font = "12px system-ui"; ctx.fillText(m[2] + " " + tokens(m[0]), x + 4, u.bbox.top + 14);
        ctx.restore();
      });
    };
    new uPlot({ width: width(c), height: 220,
      scales: { x: { time: false } },
      axes: [{ label: "tokens per day", values: function (u, v) { return v.map(tokens); } },
             { label: "$ per day", size: 70, values: function (u, v) { return v.map(money); } }],
      series: [{ value: function (u, v) { return tokens(v); } },
               { label: "local", stroke: "#15803d", width: 2, value: function (u, v) { return money(v); } },
               { label: "cloud", stroke: "#7c3aed", width: 2, value: function (u, v) { return money(v); } }],
      hooks: { draw: [marks] }
    }, [data.tokens, data.local, data.cloud], c);
  }

  var l = document.getElementById("latency-chart");
  if (l && window.uPlot && data.latency.t.length > 1) {
    function ms(v) { return v == null ? "" : v >= 10000 ? (v / 1000).toFixed(1) + " s" : Math.round(v) + " ms"; }
    var budget = function (u) {
      var y = u.valToPos(data.latency.budget, "y", true), ctx = u.ctx;
      if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) { return; }
      ctx.save(); ctx.strokeStyle = "#b91c1c"; ctx.setLineDash([5, 4]); ctx.beginPath();
      ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
      ctx.fillStyle = "#b91c1c"; ctx.font = "12px system-ui"; ctx.fillText("budget " + ms(data.latency.budget), u.bbox.left + 4, y - 4);
      ctx.restore();
    };
    var top = Math.max.apply(null, data.latency.p99.filter(function (v) { return v != null; }).concat([data.latency.budget * 1.1]));
    new uPlot({ width: width(l), height: 220,
      scales: { y: { range: [0, top] } },
      axes: [{}, { label: "latency", size: 70, values: function (u, v) { return v.map(ms); } }],
      series: [{}, { label: "p50", stroke: "#2456c8", width: 1.5, value: function (u, v) { return ms(v); } },
               { label: "p95", stroke: "#c2410c", width: 1.5, value: function (u, v) { return ms(v); } },
               { label: "p99", stroke: "#7c3aed", width: 1.5, value: function (u, v) { return ms(v); } }],
      hooks: { draw: [budget] }
    }, [data.latency.t, data.latency.p50, data.latency.p95, data.latency.p99], l);
  }
})();

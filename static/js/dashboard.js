/* Draws the dashboard's charts from the figures the server embedded as JSON (#chart-data).
   Self-hosted and free of inline code, for the CSP (script-src 'self'). Without JavaScript
   the tables next to each chart carry the same numbers; once a chart is drawn its table
   folds away but stays one click ("As a table") away. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.Plotly) {
    return;
  }
  var figures = JSON.parse(source.textContent);
  var lang = (document.documentElement.lang || "nl").slice(0, 2);
  var config = {
    displaylogo: false,
    displayModeBar: false,
    responsive: true,
    locale: lang === "nl" ? "nl" : "en",
    modeBarButtonsToRemove: ["toImage"]
  };

  function syncToggles(chart, box) {
    box.querySelectorAll("input[data-trace]").forEach(function (input) {
      var trace = chart.data[Number(input.dataset.trace)];
      input.checked = Boolean(trace) && trace.visible === true;
    });
  }

  Object.keys(figures).forEach(function (id) {
    var chart = document.getElementById(id);
    if (!chart) {
      return;
    }
    var figure = figures[id];
    // The previous round is the comparison people look for first: its line starts switched
    // on; the other overlays (benchmark, roles) stay one click away.
    figure.data.forEach(function (trace) {
      if (trace.meta === "previous") {
        trace.visible = true;
      }
    });
    var layout = figure.layout;
    if (figure.narrow && chart.clientWidth < 576) {
      layout = JSON.parse(JSON.stringify(layout));
      Object.keys(figure.narrow).forEach(function (path) {
        // Keys are plotly attribute paths such as "xaxis.tickangle".
        var parts = path.split(".");
        var target = layout;
        parts.slice(0, -1).forEach(function (part) {
          target[part] = target[part] || {};
          target = target[part];
        });
        target[parts[parts.length - 1]] = figure.narrow[path];
      });
    }
    window.Plotly.newPlot(chart, figure.data, layout, config).then(function () {
      chart.classList.add("is-drawn");
      var holder = chart.closest("figure");
      var table = holder && holder.querySelector("details.chart-table");
      if (table) {
        table.open = false;
      }
      var box = document.querySelector('.overlay-toggles[data-chart="' + id + '"]');
      if (box) {
        box.classList.remove("d-none");
        syncToggles(chart, box);
        box.addEventListener("change", function (event) {
          var input = event.target;
          window.Plotly.restyle(
            chart, {visible: input.checked ? true : "legendonly"}, [Number(input.dataset.trace)]
          );
        });
        // Clicking the legend also switches lines on and off: keep the boxes in step.
        chart.on("plotly_restyle", function () { syncToggles(chart, box); });
      }
    });
  });
})();

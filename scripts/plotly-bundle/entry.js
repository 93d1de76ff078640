// Only the trace types the dashboard draws: radar (scatterpolar), bars and the team heatmap.
// core brings scatter along; it cannot be left out (plotly.js CUSTOM_BUNDLE.md).
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/scatterpolar'),
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/locales/nl'),
]);

module.exports = Plotly;

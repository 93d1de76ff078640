// Draws one chart per figure found in the page's JSON data block; the page records the outcome
// in data-* attributes on <body> for the smoke runner to read.
(function () {
    var figures = JSON.parse(document.getElementById('figures').textContent);
    var config = {displaylogo: false, responsive: true, locale: 'nl'};
    var drawn = figures.map(function (figure, i) {
        var div = document.createElement('div');
        div.id = 'chart-' + i;
        div.className = 'chart';
        document.getElementById('charts').appendChild(div);
        return Plotly.newPlot(div, figure.data, figure.layout, config);
    });
    Promise.all(drawn).then(function () {
        // The mode bar's "download as PNG" goes through the same code.
        if(!document.body.dataset.toImage) return '';
        return Plotly.toImage('chart-0', {format: 'png', width: 320, height: 240});
    }).then(
        function (png) {
            document.body.dataset.png = String(png.indexOf('data:image/png;base64,') === 0);
            document.body.dataset.plotted = String(drawn.length);
        },
        function (err) { document.body.dataset.error = String(err); }
    );
})();

// Bundles entry.js into static/vendor/plotly/plotly-custom.min.js (called by build.sh).
// Settings mirror plotly.js's own esbuild-config.js (iife, global Plotly, es2016).
import {readFile} from 'node:fs/promises';
import {build} from 'esbuild';

const [outfile] = process.argv.slice(2);

// Our CSP (style-src 'self') blocks style *attributes* set with setAttribute, which these few
// plotly.js lines do on the traces we draw (upstream: plotly.js issue #7543). Each patch sets
// the same style through CSSOM or removes the attribute, which CSP allows. A patch whose text
// is missing fails the build, so a plotly.js upgrade cannot silently drop one.
const patches = {
    'src/components/colorbar/draw.js': [
        // Clearing a fill's style: removing the attribute has the same effect.
        [".attr('style', '')", ".attr('style', null)", 2],
    ],
    'src/traces/heatmap/plot.js': [
        // Without this the heatmap's few-pixel image is scaled up blurred.
        ["image3.attr('style', PIXELATED_IMAGE_STYLE);", "image3.style('image-rendering', 'pixelated');", 1],
    ],
};

const cspPatches = {
    name: 'csp-patches',
    setup(b) {
        b.onLoad({filter: /plotly\.js[\\/]src[\\/].*\.js$/}, async (args) => {
            const key = Object.keys(patches).find((p) => args.path.replaceAll('\\', '/').endsWith('plotly.js/' + p));
            if(!key) return undefined;
            let text = await readFile(args.path, 'utf8');
            for(const [from, to, count] of patches[key]) {
                const found = text.split(from).length - 1;
                if(found !== count) throw new Error(`${key}: expected ${count}× ${from}, found ${found}`);
                text = text.replaceAll(from, to);
            }
            delete patches[key];
            return {contents: text, loader: 'js'};
        });
        b.onEnd(() => {
            const left = Object.keys(patches);
            if(left.length) throw new Error('patched files never loaded: ' + left.join(', '));
        });
    },
};

await build({
    entryPoints: ['entry.js'],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Plotly',
    define: {global: 'window', 'define.amd': 'false'},
    target: 'es2016',
    // Only map traces import CSS, and we leave them out.
    loader: {'.css': 'empty'},
    legalComments: 'eof',
    plugins: [cspPatches],
    logLevel: 'warning',
});

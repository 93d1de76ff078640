#!/usr/bin/env bash
# Rebuilds every self-hosted front-end asset under static/ from the exact npm versions pinned in
# package-lock.json: the custom plotly.js bundle, Bootstrap and the Source Sans 3 font.
# Node is needed only here; the outputs are committed, so neither the app nor CI needs it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
static="$(cd "$here/../.." && pwd)/static"
cd "$here"

# --ignore-scripts: no package gets to run code on this machine; esbuild's binary comes from its
# platform package and needs no install script.
npm ci --ignore-scripts --no-audit --no-fund

mkdir -p "$static/vendor/plotly"
node bundle.mjs "$static/vendor/plotly/plotly-custom.min.js"
# The same rules plotly.js would otherwise inject as an inline <style>, which our CSP forbids.
cp node_modules/plotly.js/dist/plotly.css "$static/vendor/plotly/plotly.css"
cp node_modules/plotly.js/LICENSE "$static/vendor/plotly/LICENSE"

# Source-map comments point at .map files we do not ship; the manifest storage of collectstatic
# would fail on them.
mkdir -p "$static/vendor/bootstrap"
sed '/sourceMappingURL=/d' node_modules/bootstrap/dist/css/bootstrap.min.css \
    > "$static/vendor/bootstrap/bootstrap.min.css"
sed '/sourceMappingURL=/d' node_modules/bootstrap/dist/js/bootstrap.bundle.min.js \
    > "$static/vendor/bootstrap/bootstrap.bundle.min.js"
cp node_modules/bootstrap/LICENSE "$static/vendor/bootstrap/LICENSE"

# WOFF2 with TrueType outlines: browsers load it and WeasyPrint decodes it (fontTools + brotli,
# pulled in by weasyprint's fonttools[woff] requirement).
mkdir -p "$static/fonts"
for style in Regular It Semibold Bold BoldIt; do
    cp "node_modules/source-sans/WOFF2/TTF/SourceSans3-$style.ttf.woff2" \
        "$static/fonts/SourceSans3-$style.woff2"
done
cp node_modules/source-sans/LICENSE.md "$static/fonts/LICENSE-SourceSans3.md"

for f in vendor/plotly/plotly-custom.min.js vendor/bootstrap/bootstrap.min.css \
    vendor/bootstrap/bootstrap.bundle.min.js; do
    printf '%-42s %9d bytes, %8d gzip -9\n' "$f" "$(wc -c < "$static/$f")" \
        "$(gzip -9c "$static/$f" | wc -c)"
done

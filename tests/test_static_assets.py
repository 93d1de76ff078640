"""The committed front-end assets: built by scripts/plotly-bundle/build.sh, all self-hosted."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont

STATIC = Path(settings.BASE_DIR) / "static"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
PLOTLY = STATIC / "vendor" / "plotly" / "plotly-custom.min.js"
# scatter comes with plotly.js core and cannot be left out.
USED_TRACES = {"scatter", "scatterpolar", "bar", "heatmap"}
MAX_DASHBOARD_JS_GZIP = 500 * 1024
FONT_FACES = ["Regular", "It", "Semibold", "Bold", "BoldIt"]
DUTCH_TEXT = "ëïéèöüóáúàçÉËÏĳĲ€‘’“”–—…"

# A browser fetches from another origin through these; a match means a visitor's address leaks.
EXTERNAL_LOAD = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""",
    re.IGNORECASE,
)
# plotly.js's mode-bar logo links to plotly.com; a link the user may click, not a load, and
# hidden with config.displaylogo = false.
ALLOWED_EXTERNAL = {PLOTLY: ['href="https://plotly.com/"']}


def _bundle() -> str:
    return PLOTLY.read_text(encoding="utf-8")


def _text_files() -> list[Path]:
    suffixes = {".html", ".txt", ".css", ".js", ".svg", ".xml", ".json"}
    return [
        path
        for root in (STATIC, TEMPLATES)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in suffixes
    ]


def test_plotly_bundle_is_committed_with_its_license():
    assert PLOTLY.stat().st_size > 100_000
    assert "MIT" in (PLOTLY.parent / "LICENSE").read_text(encoding="utf-8")
    assert (PLOTLY.parent / "plotly.css").stat().st_size > 1000


def test_dashboard_javascript_stays_within_500_kb_gzip():
    dashboard_js = [PLOTLY]
    size = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in dashboard_js)
    assert size <= MAX_DASHBOARD_JS_GZIP, f"{size / 1024:.0f} KB gzip"


def test_plotly_bundle_registers_exactly_the_traces_we_use():
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', _bundle()))
    assert registered == USED_TRACES


def test_plotly_bundle_carries_the_dutch_locale():
    assert re.search(r'moduleType:"locale",name:"nl"', _bundle())


def test_plotly_bundle_needs_no_unsafe_eval():
    bundle = _bundle()
    assert not re.search(r"\bnew Function\(|[^\w.]eval\(", bundle)


def test_plotly_bundle_sets_no_style_attributes_that_csp_blocks():
    # bundle.mjs patches these upstream calls; seeing them again means the patch was lost.
    bundle = _bundle()
    assert 'attr("style",""' not in bundle
    assert '.style("image-rendering","pixelated")' in bundle


def test_bootstrap_is_committed_with_its_license():
    bootstrap = STATIC / "vendor" / "bootstrap"
    for name in ("bootstrap.min.css", "bootstrap.bundle.min.js"):
        assert re.search(r"Bootstrap\s+v5\.3\.", (bootstrap / name).read_text(encoding="utf-8"))
    assert "MIT License" in (bootstrap / "LICENSE").read_text(encoding="utf-8")


def test_no_static_file_points_at_a_missing_source_map():
    # The manifest storage of collectstatic fails on a sourceMappingURL whose file is absent.
    for path in _text_files():
        for match in re.finditer(r"sourceMappingURL=([^\s*]+)", path.read_text(encoding="utf-8")):
            target = match.group(1)
            assert target.startswith("data:") or (path.parent / target).exists(), (
                f"{path.relative_to(settings.BASE_DIR)} -> {target}"
            )


def test_no_template_or_static_file_loads_from_another_origin():
    found = []
    for path in _text_files():
        text = path.read_text(encoding="utf-8")
        for allowed in ALLOWED_EXTERNAL.get(path, []):
            text = text.replace(allowed, "", 1)
        found += [
            f"{path.relative_to(settings.BASE_DIR)}: {text[m.start() : m.end() + 40]!r}"
            for m in EXTERNAL_LOAD.finditer(text)
        ]
    assert found == []


@pytest.mark.parametrize("face", FONT_FACES)
def test_font_face_has_every_dutch_glyph(face):
    font = TTFont(STATIC / "fonts" / f"SourceSans3-{face}.woff2")
    missing = [char for char in DUTCH_TEXT if ord(char) not in font.getBestCmap()]
    assert missing == []


def test_fonts_css_points_only_at_committed_fonts():
    css_path = STATIC / "css" / "fonts.css"
    css = css_path.read_text(encoding="utf-8")
    urls = re.findall(r"""url\(["']?([^"')]+)["']?\)""", css)
    assert len(urls) == len(FONT_FACES)
    for url in urls:
        assert not url.startswith(("/", "http")), url
        assert (css_path.parent / url).resolve().is_file(), url
    assert "OFL" in (STATIC / "fonts" / "LICENSE-SourceSans3.md").read_text(encoding="utf-8")

"""Renders the committed plotly bundle in headless Chromium under the app's CSP.

Run from the repository root: ``.venv/bin/python scripts/plotly-bundle/smoke/smoke.py``.
Needs Debian's chromium (``apt-get install chromium``) and the playwright Python package from
requirements-test.txt; nothing is downloaded. The figures come from the Python plotly package,
so this also checks that its JSON (with its default template) suits the trimmed bundle.
Exits non-zero when a required scenario shows a console error, page error, CSP violation,
request to another origin, or a chart that did not draw.
"""

import argparse
import http.server
import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "static"
HERE = Path(__file__).resolve().parent
# As in leercultuur/settings.py CONTENT_SECURITY_POLICY.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DIMENSIONS = ["Leren", "Reflectie", "Ruimte", "Eigenaarschap", "Samenwerking", "Sturing"]


@dataclass(frozen=True)
class Scenario:
    name: str
    csp: str
    marker: bool = True
    to_image: bool = False
    required: bool = True
    note: str = ""


SCENARIOS = [
    Scenario("strict", CSP),
    Scenario(
        "no-marker",
        CSP,
        marker=False,
        required=False,
        note="without the marker element plotly.js tries an inline <style>; CSP blocks it",
    ),
    Scenario(
        "png-strict",
        CSP,
        to_image=True,
        required=False,
        note="PNG download (mode bar camera / Plotly.toImage) under the unchanged CSP",
    ),
    Scenario(
        "png-blob",
        CSP.replace("img-src 'self' data:", "img-src 'self' data: blob:"),
        to_image=True,
        note="PNG download with img-src blob: added",
    ),
]


def figures() -> list[dict]:
    radar = go.Figure(
        go.Scatterpolar(r=[3.4, 3.9, 2.8, 4.1, 3.6, 3.4], theta=DIMENSIONS, fill="toself")
    )
    radar.update_layout(polar={"radialaxis": {"range": [1, 5]}}, title="Scatterpolar: ë ï é ĳ €")
    bars = go.Figure(go.Bar(x=[3.4, 3.9, 2.8, 4.1, 3.6, 3.4], y=DIMENSIONS, orientation="h"))
    bars.update_layout(title="Bar – “curly” ‘quotes’")
    heat = go.Figure(
        go.Heatmap(
            z=[[3.1, 3.8, 2.9, 4.0, 3.5, 3.3], [3.6, 4.1, 2.5, 3.9, 3.8, 3.0]],
            x=DIMENSIONS,
            y=["Bakkerij", "Winkel"],
            zmin=1,
            zmax=5,
        )
    )
    heat.update_layout(title="Heatmap")
    return [json.loads(f.to_json()) for f in (radar, bars, heat)]


def page(scenario: Scenario) -> str:
    # With the marker element plotly.js finds its rules already loaded and skips the inline
    # <style> it would otherwise add (src/lib/dom.js, addRelatedStyleRule).
    css = (
        '<link id="plotly.js-style-global" class="no-inline-styles" rel="stylesheet" '
        'href="/static/vendor/plotly/plotly.css">'
        if scenario.marker
        else ""
    )
    data = json.dumps(figures()).replace("<", "\\u003c")
    to_image = ' data-to-image="1"' if scenario.to_image else ""
    return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>smoke</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/css/fonts.css">{css}
<link rel="stylesheet" href="/smoke.css"></head>
<body{to_image}><div id="charts"></div>
<script type="application/json" id="figures">{data}</script>
<script src="/static/vendor/plotly/plotly-custom.min.js"></script>
<script src="/smoke.js"></script></body></html>"""


def serve() -> http.server.ThreadingHTTPServer:
    pages = {f"/{s.name}.html": (page(s), s.csp) for s in SCENARIOS}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = path.split("?")[0]
            if path.startswith("/static/"):
                return str(STATIC / path.removeprefix("/static/"))
            return str(HERE / path.lstrip("/"))

        def do_GET(self) -> None:
            if self.path in pages:
                body = pages[self.path][0].encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", pages[self.path][1])
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(browser: Browser, base: str, scenario: Scenario, screenshot: str | None) -> bool:
    tab = browser.new_page(viewport={"width": 700, "height": 1400})
    problems: list[str] = []
    tab.on(
        "console",
        lambda m: m.type in ("error", "warning") and problems.append(f"console.{m.type}: {m.text}"),
    )
    tab.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    tab.on(
        "request",
        lambda r: (
            not r.url.startswith((base, "data:", f"blob:{base}"))
            and problems.append(f"request outside the page's origin: {r.url}")
        ),
    )
    tab.goto(f"{base}/{scenario.name}.html")
    tab.wait_for_function("document.body.dataset.plotted || document.body.dataset.error")
    # Hover labels and the mode bar are drawn on demand; they must pass the CSP too.
    hovered = []
    for chart in tab.query_selector_all(".chart"):
        box = chart.bounding_box()
        tab.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
        tab.wait_for_timeout(300)
        hovered.append(len(chart.query_selector_all(".hoverlayer .hovertext")))
    state = tab.evaluate(
        """() => ({
            plotted: document.body.dataset.plotted, error: document.body.dataset.error,
            png: document.body.dataset.png,
            traces: [...document.querySelectorAll('.chart')].map(d =>
                [d.querySelectorAll('.scatterlayer .trace').length,
                 d.querySelectorAll('.barlayer .trace').length,
                 d.querySelectorAll('.hm image').length]),
            inlineStyle: !!document.querySelector('style'),
            mainSvgPosition: getComputedStyle(document.querySelector('.main-svg')).position,
        })"""
    )
    state["hoverLabels"] = hovered
    ok = (
        state["plotted"] == "3"
        and state["traces"] == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        and state["mainSvgPosition"] == "absolute"
        and all(hovered)
        and not state["inlineStyle"]
        and state["png"] == ("true" if scenario.to_image else "false")
        and not problems
    )
    if screenshot and scenario.name == "strict":
        tab.screenshot(path=screenshot, full_page=True)
    tab.close()
    verdict = "ok" if ok else ("FAILED" if scenario.required else "fails (informational)")
    print(f"{scenario.name}: {verdict}{' - ' + scenario.note if scenario.note else ''}")
    print(f"  {json.dumps(state)}")
    for line in problems:
        print(f"  {line[:300]}")
    return ok or not scenario.required


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/lib/chromium/chromium")
    parser.add_argument("--screenshot", help="PNG path for the page of the strict scenario")
    args = parser.parse_args()
    server = serve()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        results = [run(browser, base, s, args.screenshot) for s in SCENARIOS]
        browser.close()
    server.shutdown()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

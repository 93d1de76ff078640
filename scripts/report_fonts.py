"""Write the PDF report's fonts: static/fonts/pdf/*.ttf, decompressed from static/fonts/*.woff2.

WeasyPrint decodes WOFF2 with fontTools in pure Python, which costs about a second of CPU per
font face on every report; the decompressed files render the same glyphs at no cost. This is a
lossless change of container only (same tables, same glyphs, same name), which the SIL OFL
allows without renaming. Run it again whenever the web fonts change:

    .venv/bin/python scripts/report_fonts.py
"""

from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FACES = ("SourceSans3-Regular", "SourceSans3-Semibold", "SourceSans3-Bold")


def main() -> int:
    out = ROOT / "static" / "fonts" / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    for face in FACES:
        font = TTFont(ROOT / "static" / "fonts" / f"{face}.woff2")
        font.flavor = None
        font.recalcTimestamp = False  # same input, same bytes
        font.save(out / f"{face}.ttf", reorderTables=True)
        print(out / f"{face}.ttf", (out / f"{face}.ttf").stat().st_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

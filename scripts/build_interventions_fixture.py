#!/usr/bin/env python3
"""Build fixtures/interventions.json from docs/interventions.md.

Usage: python scripts/build_interventions_fixture.py [--source PATH] [--output PATH]

The document is the one source of the intervention library and the team dialogue questions
(its "The format" section describes the lines read here). Primary keys are derived from the
codes (D2.05 → 205; the second question of D3 → 32) so that loaddata updates rows in place.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "docs" / "interventions.md"
DEFAULT_OUTPUT = ROOT / "fixtures" / "interventions.json"

_DIMENSION = re.compile(r"^## (D\d) — ")
_INTERVENTION = re.compile(r"^### (D(\d)\.(\d\d)) (.+?) \| (.+)$")
_LINE = re.compile(r"^- (\w+): (.+)$")
# Dutch keys in the document → the field (pair) they fill.
_FIELDS = {"wat": "body", "tijd": "time", "geld": "money", "wie": "who", "subsidie": "funding"}


def _pair(key: str, text: str, where: str) -> tuple[str, str]:
    parts = [part.strip() for part in text.split(" | ")]
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"{where}: '{key}' needs 'Dutch | English'")
    return parts[0], parts[1]


def parse(text: str) -> list[dict]:
    """The fixture rows (interventions and dialogue questions) of the document."""
    rows: list[dict] = []
    dimension = None
    current: dict | None = None
    questions = 0
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"line {number}"
        if match := _DIMENSION.match(line):
            dimension, current, questions = match[1], None, 0
            continue
        if match := _INTERVENTION.match(line):
            code, dim_number, position = match[1], int(match[2]), int(match[3])
            if f"D{dim_number}" != dimension:
                raise ValueError(f"{where}: {code} is not under its dimension")
            current = {
                "model": "assessments.intervention",
                "pk": dim_number * 100 + position,
                "fields": {
                    "code": code,
                    "dimension_code": dimension,
                    "indicator_position": None,
                    "position": position,
                    "title_nl": match[4].strip(),
                    "title_en": match[5].strip(),
                    "funding_nl": "",
                    "funding_en": "",
                },
            }
            rows.append(current)
            continue
        match = _LINE.match(line)
        if not match or dimension is None:
            continue
        key, value = match[1], match[2].strip()
        if key == "vraag" and current is None:
            questions += 1
            nl, en = _pair(key, value, where)
            rows.append(
                {
                    "model": "assessments.dialoguequestion",
                    "pk": int(dimension[1:]) * 10 + questions,
                    "fields": {
                        "dimension_code": dimension,
                        "position": questions,
                        "text_nl": nl,
                        "text_en": en,
                    },
                }
            )
        elif current is not None and key == "indicator":
            current["fields"]["indicator_position"] = int(value)
        elif current is not None and key == "bron":
            current["fields"]["source"] = value
        elif current is not None and key in _FIELDS:
            nl, en = _pair(key, value, where)
            current["fields"][f"{_FIELDS[key]}_nl"] = nl
            current["fields"][f"{_FIELDS[key]}_en"] = en
        elif current is not None:
            raise ValueError(f"{where}: unknown key {key!r}")
    required = ("body_nl", "time_nl", "money_nl", "who_nl", "source")
    for row in rows:
        fields = row["fields"]
        if row["model"] == "assessments.intervention":
            missing = [name for name in required if not fields.get(name)]
            if missing or fields["indicator_position"] is None:
                raise ValueError(f"{fields['code']}: missing {missing or ['indicator']}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    rows = parse(args.source.read_text(encoding="utf-8"))
    args.output.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    interventions = sum(1 for r in rows if r["model"] == "assessments.intervention")
    print(f"{interventions} interventions, {len(rows) - interventions} questions → {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

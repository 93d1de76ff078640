"""The intervention library and the dialogue questions: docs/interventions.md is the source,
fixtures/interventions.json the data every installation loads."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.models import DialogueQuestion, Indicator, Intervention

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import build_interventions_fixture  # noqa: E402


def test_the_fixture_is_built_from_the_document(tmp_path):
    output = tmp_path / "interventions.json"
    build_interventions_fixture.main(["--output", str(output)])
    committed = json.loads((ROOT / "fixtures" / "interventions.json").read_text("utf-8"))
    assert json.loads(output.read_text("utf-8")) == committed


def test_every_dimension_has_at_least_eight_interventions_and_three_questions():
    rows = json.loads((ROOT / "fixtures" / "interventions.json").read_text("utf-8"))
    interventions = [r["fields"] for r in rows if r["model"] == "assessments.intervention"]
    questions = [r["fields"] for r in rows if r["model"] == "assessments.dialoguequestion"]
    dimensions = [f"D{n}" for n in range(1, 7)]
    per_dimension = Counter(f["dimension_code"] for f in interventions)
    assert all(per_dimension[d] >= 8 for d in dimensions), per_dimension
    assert Counter(q["dimension_code"] for q in questions) == dict.fromkeys(dimensions, 3)
    for fields in interventions:
        for name in ("title", "body", "time", "money", "who"):
            assert fields[f"{name}_nl"] and fields[f"{name}_en"], (fields["code"], name)
        assert bool(fields["funding_nl"]) == bool(fields["funding_en"]), fields["code"]
        assert fields["source"], fields["code"]


def test_the_funding_routes_an_sme_can_use_are_named():
    rows = json.loads((ROOT / "fixtures" / "interventions.json").read_text("utf-8"))
    funding = " ".join(
        r["fields"]["funding_nl"] for r in rows if r["model"] == "assessments.intervention"
    )
    assert "SLIM-regeling" in funding and "O&O-fonds" in funding


def test_a_malformed_line_in_the_document_is_refused():
    text = (
        "## D1 — Inhoud van werk\n\n### D1.01 Titel | Title\n- indicator: 1\n"
        "- wat: alleen Nederlands\n"
    )
    with pytest.raises(ValueError, match=re.escape("'wat' needs 'Dutch | English'")):
        build_interventions_fixture.parse(text)


@pytest.mark.django_db
def test_every_intervention_works_on_an_indicator_of_the_shipped_questionnaire():
    call_command("loaddata", "questionnaire", "interventions", verbosity=0)
    positions = set(
        Indicator.objects.filter(dimension__questionnaire__code="leercultuur-mkb").values_list(
            "dimension__code", "position"
        )
    )
    for intervention in Intervention.objects.all():
        assert (intervention.dimension_code, intervention.indicator_position) in positions, (
            intervention.code
        )
    assert DialogueQuestion.objects.count() == 18
    # Loading it again changes nothing (primary keys come from the codes).
    call_command("loaddata", "interventions", verbosity=0)
    assert Intervention.objects.count() == 48

"""The reference questionnaire (fixtures/questionnaire.json) against its sources.

This is the one test module that loads the full fixture; other tests build small
questionnaires with tests/factories.py. The model's dimension and indicator names are read at
test time from model-source.txt (the article the product starts from), so the fixture cannot
drift from it unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from assessments.models import (
    Dimension,
    Indicator,
    Item,
    OpenQuestion,
    Questionnaire,
    Recommendation,
)

from .factories import make_campaign, make_organisation, make_responses

pytestmark = pytest.mark.django_db

REVERSED_CODES = {"D1.5", "D2.4", "D2.8", "D3.4", "D4.7", "D5.8", "D6.3"}  # instrument.md §3
NOT_APPLICABLE_CODES = {"D5.5", "D5.9", "D6.3", "D6.4", "D6.5", "D6.6"}  # the WN flags in §2
CONTENT_MODELS = [Questionnaire, Dimension, Indicator, Item, Recommendation, OpenQuestion]

# How the article's indicator lists become indicators. Each list is a Dutch enumeration
# "a, b en c": it is split on the commas and on the "en" before its last element. Two
# elements name one head with two objects that the item bank measures separately; they become
# one indicator per object:
SHARED_HEADS = {
    "Ondersteunende structuren en systemen gericht op continu verbeteren en om leerervaringen "
    "vast te leggen": [
        "Ondersteunende structuren en systemen gericht op continu verbeteren",
        "Ondersteunende structuren en systemen om leerervaringen vast te leggen",
    ],
    "co-creatie met klanten en leveranciers": [
        "co-creatie met klanten",
        "co-creatie met leveranciers",
    ],
}
# Every other "en" inside an element stays part of one indicator ("beoordelings- en
# beloningsstructuur", "in de maatschappij en markt", "teams en/of met andere disciplines").


def _model_source() -> Path:
    # The brief's location is beside the checkout; a git worktree sits one level deeper.
    base = Path(settings.BASE_DIR)
    for folder in (base.parent, *base.parent.parents):
        candidate = folder / "shared" / "model-source.txt"
        if candidate.exists():
            return candidate
    pytest.skip(f"model-source.txt not found beside {base} (expected {base.parent}/shared/)")


def split_indicators(enumeration: str) -> list[str]:
    *elements, last = enumeration.split(", ")
    if last not in SHARED_HEADS and " en " in last:
        elements += last.rsplit(" en ", 1)
    else:
        elements.append(last)
    names = []
    for element in elements:
        names += SHARED_HEADS.get(element, [element])
    return [name[:1].upper() + name[1:] for name in names]


def article_model() -> list[tuple[str, list[str]]]:
    """The six leercultuurdragers with their indicators, as model-source.txt lists them."""
    lines = [line.strip() for line in _model_source().read_text(encoding="utf-8").splitlines()]
    model = []
    for number, line in enumerate(lines):
        match = re.fullmatch(r"(\d)\. (.+)", line)
        if match:
            model.append((match.group(2), split_indicators(lines[number + 1])))
    return model


@pytest.fixture
def questionnaire() -> Questionnaire:
    call_command("loaddata", "questionnaire", verbosity=0)
    return Questionnaire.objects.get(code="leercultuur-mkb", version=1)


def test_the_indicator_split_follows_the_documented_rules():
    assert split_indicators("Taakautonomie, taakcomplexiteit en uitdaging in taken") == [
        "Taakautonomie",
        "Taakcomplexiteit",
        "Uitdaging in taken",
    ]
    assert split_indicators(
        "(Proactief) kennis opnemen, co-creatie met klanten en leveranciers"
    ) == [
        "(Proactief) kennis opnemen",
        "Co-creatie met klanten",
        "Co-creatie met leveranciers",
    ]


def test_the_questionnaire_has_the_six_dimensions_of_the_article_in_order(questionnaire):
    article = article_model()
    assert len(article) == 6
    names = list(questionnaire.dimensions.order_by("position").values_list("name_nl", flat=True))
    assert names == [name for name, _ in article]
    codes = list(questionnaire.dimensions.order_by("position").values_list("code", flat=True))
    assert codes == ["D1", "D2", "D3", "D4", "D5", "D6"]


def test_each_dimension_has_exactly_the_indicators_the_article_names(questionnaire):
    for dimension, (name, indicators) in zip(
        questionnaire.dimensions.order_by("position"), article_model(), strict=True
    ):
        stored = list(dimension.indicators.order_by("position").values_list("name_nl", flat=True))
        assert stored == indicators, name


def test_the_questionnaire_has_48_items_with_unique_codes_per_dimension(questionnaire):
    items = questionnaire.ordered_items()
    assert len(items) == 48
    assert len({item.code for item in items}) == 48
    for item in items:
        assert re.fullmatch(rf"{item.dimension.code}\.\d+", item.code), item.code
    # Positions follow the codes, so the questionnaire asks D1.1 … D6.6 in order.
    assert [item.code for item in items] == sorted(
        (item.code for item in items), key=lambda code: tuple(map(int, code[1:].split(".")))
    )


def test_every_indicator_is_measured_by_an_item_of_its_own_dimension(questionnaire):
    for item in questionnaire.ordered_items():
        assert item.indicator.dimension_id == item.dimension_id, item.code
    for indicator in Indicator.objects.filter(dimension__questionnaire=questionnaire):
        assert indicator.items.exists(), indicator.name_nl


def test_the_reversed_not_applicable_and_quick_scan_flags_follow_the_item_bank(questionnaire):
    items = questionnaire.ordered_items()
    assert {item.code for item in items if item.is_reversed} == REVERSED_CODES
    assert {item.code for item in items if item.allows_not_applicable} == NOT_APPLICABLE_CODES
    quick = [item for item in items if item.in_quick_scan]
    assert len(quick) == 18
    # The quick scan must still give every dimension a score.
    for dimension in questionnaire.dimensions.all():
        assert sum(item.dimension_id == dimension.pk for item in quick) >= 2, dimension.code


def test_each_dimension_has_an_explanation_and_three_recommendations_in_both_languages(
    questionnaire,
):
    for dimension in questionnaire.dimensions.all():
        assert len(dimension.explanation_nl) > 200, dimension.code
        assert len(dimension.explanation_en) > 200, dimension.code
        recommendations = list(dimension.recommendations.order_by("position"))
        assert [r.position for r in recommendations] == [1, 2, 3], dimension.code
        for rec in recommendations:
            assert rec.title_nl and rec.title_en and rec.body_nl and rec.body_en
            assert not rec.title_nl.endswith(":")
            assert rec.body_nl[0].isupper() and rec.body_en[0].isupper()


def test_short_names_fit_on_a_chart_axis(questionnaire):
    for dimension in questionnaire.dimensions.all():
        assert 0 < len(dimension.short_name_nl) <= 22
        assert 0 < len(dimension.short_name_en) <= 22


def test_the_open_questions_are_there_in_both_languages(questionnaire):
    questions = list(questionnaire.open_questions.order_by("position"))
    assert [q.code for q in questions] == ["O1", "O2"]
    assert all(q.text_nl.endswith("?") and q.text_en.endswith("?") for q in questions)


def test_no_text_is_left_empty_or_untranslated(questionnaire):
    assert questionnaire.instruction_nl and questionnaire.instruction_en
    for model in CONTENT_MODELS:
        english_fields = [f.name for f in model._meta.fields if f.name.endswith("_en")]
        for obj in model.objects.all():
            for field in english_fields:
                english = getattr(obj, field)
                dutch = getattr(obj, field[:-3] + "_nl")
                assert english.strip(), f"{model.__name__} {obj.pk}: {field} is empty"
                assert dutch.strip(), f"{model.__name__} {obj.pk}: {field[:-3]}_nl is empty"
                if len(dutch) > 20:
                    assert english != dutch, f"{model.__name__} {obj.pk}: {field} not translated"
    assert "*" not in "".join(Dimension.objects.values_list("explanation_nl", flat=True))


def test_loading_the_fixture_again_adds_nothing(questionnaire):
    counts = [model.objects.count() for model in CONTENT_MODELS]
    Item.objects.filter(code="D1.1").update(text_nl="Gewijzigd")
    call_command("loaddata", "questionnaire", verbosity=0)
    assert [model.objects.count() for model in CONTENT_MODELS] == counts
    assert Item.objects.get(code="D1.1").text_nl != "Gewijzigd"


# --- Versioning: stored answers keep their meaning ---------------------------------------


def _answer_once(questionnaire: Questionnaire) -> None:
    campaign, _ = make_campaign(make_organisation(), questionnaire)
    make_responses(campaign, 1)


def test_an_item_can_be_edited_until_the_questionnaire_has_answers(questionnaire):
    item = Item.objects.get(dimension__questionnaire=questionnaire, code="D2.3")
    item.text_nl = "Ik durf hier vragen te stellen."
    item.full_clean()  # no answers yet: allowed

    _answer_once(questionnaire)
    item = Item.objects.get(pk=item.pk)
    item.text_nl = "Ik durf hier vragen te stellen."
    with pytest.raises(ValidationError, match="heeft al antwoorden") as excinfo:
        item.full_clean()
    assert "nieuwe versie" in str(excinfo.value)


def test_no_item_can_be_added_to_a_questionnaire_with_answers(questionnaire):
    dimension = questionnaire.dimensions.get(code="D1")
    extra = Item(
        dimension=dimension,
        indicator=dimension.indicators.first(),
        code="D1.8",
        position=8,
        text_nl="Extra stelling.",
        text_en="Extra statement.",
    )
    extra.full_clean()  # no answers yet: allowed

    _answer_once(questionnaire)
    with pytest.raises(ValidationError, match="heeft al antwoorden"):
        extra.full_clean()


def test_a_new_version_copies_all_content_and_can_be_edited(questionnaire):
    _answer_once(questionnaire)

    copy = questionnaire.new_version()

    assert (copy.code, copy.version, copy.is_published) == ("leercultuur-mkb", 2, False)
    assert not Questionnaire.objects.published().filter(pk=copy.pk).exists()
    old_items, new_items = questionnaire.ordered_items(), copy.ordered_items()

    def signature(item):
        return (
            item.code,
            item.dimension.code,
            item.indicator.name_nl,
            item.text_nl,
            item.text_en,
            item.is_reversed,
            item.allows_not_applicable,
            item.in_quick_scan,
        )

    assert [signature(i) for i in new_items] == [signature(i) for i in old_items]
    assert not {i.pk for i in new_items} & {i.pk for i in old_items}
    for old, new in zip(
        questionnaire.dimensions.order_by("position"),
        copy.dimensions.order_by("position"),
        strict=True,
    ):
        assert (new.name_en, new.explanation_en) == (old.name_en, old.explanation_en)
        assert new.indicators.count() == old.indicators.count()
        assert list(new.recommendations.values_list("title_en", "body_nl")) == list(
            old.recommendations.values_list("title_en", "body_nl")
        )
    assert list(copy.open_questions.values_list("code", "text_en")) == list(
        questionnaire.open_questions.values_list("code", "text_en")
    )

    item = Item.objects.get(dimension__questionnaire=copy, code="D2.3")
    item.text_nl = "Ik durf hier vragen te stellen."
    item.full_clean()
    item.save()
    original = Item.objects.get(dimension__questionnaire=questionnaire, code="D2.3")
    assert original.text_nl != item.text_nl


@pytest.fixture
def sam(cast, client):
    """Sam (staff) as the operator who maintains the questionnaire content: here no superuser,
    only the content models' permissions."""
    user = cast.sam
    user.is_superuser = False
    user.save(update_fields=["is_superuser"])
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="assessments",
            content_type__model__in=[m._meta.model_name for m in CONTENT_MODELS],
        )
    )
    client.force_login(user)
    return client


def test_the_admin_shows_an_item_with_answers_read_only(questionnaire, sam):
    admin_client = sam
    item = Item.objects.get(dimension__questionnaire=questionnaire, code="D1.1")
    url = reverse("admin:assessments_item_change", args=[item.pk])
    editable = admin_client.get(url).content.decode()
    assert 'name="text_nl"' in editable

    _answer_once(questionnaire)
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert item.text_nl in html
    assert 'name="text_nl"' not in html
    assert 'name="_save"' not in html

    posted = admin_client.post(url, {"text_nl": "Gewijzigd", "code": item.code})
    assert posted.status_code == 403
    assert Item.objects.get(pk=item.pk).text_nl == item.text_nl


def test_the_admin_shows_a_dimension_with_answers_and_its_items_read_only(questionnaire, sam):
    admin_client = sam
    dimension = questionnaire.dimensions.get(code="D1")
    url = reverse("admin:assessments_dimension_change", args=[dimension.pk])
    editable = admin_client.get(url).content.decode()
    assert 'name="name_nl"' in editable and 'name="items-0-text_nl"' in editable

    _answer_once(questionnaire)
    html = admin_client.get(url).content.decode()
    assert dimension.name_nl in html
    assert 'name="name_nl"' not in html
    assert 'name="items-0-text_nl"' not in html

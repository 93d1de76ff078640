"""The PDF report: alice (HR of Bakkerij De Korenschoof) downloads it, bert (HR of Garage Van
Dijk) may not, and consultant carol's name and logo go on the cover. The cast:
tests/personas.py."""

from __future__ import annotations

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from assessments import pdfrender, reports, scoring
from assessments.models import Campaign, ConsultantProfile, validate_logo
from assessments.presentation import reason_text
from assessments.results import campaign_results
from assessments.results.queries import load_round, with_answers
from assessments.services import close_round

from .factories import make_campaign, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def png_bytes(size=(120, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "#1f6f5c").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def bakery_round(cast):
    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=3, reversed_codes=("D1.2",)
    )
    campaign, _ = make_campaign(
        cast.bakery,
        questionnaire,
        teams=("Bakkerij", "Winkel", "Bezorging"),
        expected_respondents=20,
    )
    teams = {t.name: t for t in campaign.teams.all()}
    make_responses(
        campaign, 8, seed=1, team=teams["Bakkerij"], role="employee", open_text="Meer overleg"
    )
    make_responses(campaign, 7, seed=2, team=teams["Winkel"], role="manager")
    make_responses(campaign, 2, seed=3, team=teams["Bezorging"], role="employee")
    close_round(campaign)
    return campaign


# --- Content --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pdf_holds_every_dimension_and_exactly_the_numbers_of_campaign_results(
    bakery_round, language
):
    pdf = reports.build_report_pdf(bakery_round, language)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    results = campaign_results(bakery_round, language)

    def fmt(value):
        return reports.format_number(value, language)

    expected = [results.round.organisation, fmt(results.overall_index)]
    expected.append(f"{results.respondents}")
    expected.append(reports.format_percent(results.response_rate.percent))
    for dim in results.dimensions:
        expected += [dim.name, fmt(dim.mean), fmt(dim.alpha)]
        expected += [reports.format_percent(dim.pct_positive)]
        expected += [reports.format_percent(dim.pct_negative)]
        expected += [fmt(ind.mean) for ind in dim.indicators]
        for item in dim.items:
            expected += [item.text, fmt(item.mean)]
            expected += [reports.format_percent(item.pct_agree)]
    for breakdown in results.breakdowns.values():
        for group in breakdown.groups:
            expected += [group.label, fmt(group.overall)]
            expected += [fmt(v) for v in group.dimensions.values()]
    missing = [value for value in expected if value not in text]
    assert missing == []
    # The decimal separator follows the language: a Dutch report never shows 3.42.
    other = "." if language == "nl" else ","
    assert fmt(results.dimensions[0].mean).replace(other, "") in text.replace(other, "")
    wrong = f"{results.dimensions[0].mean:.2f}".replace(".", other)
    assert wrong not in text


def test_a_suppressed_groups_numbers_appear_nowhere(cast):
    # Hidden teams answer uniformly (1s and 5s), so their figures cannot coincide with any
    # figure of the random answers around them.
    questionnaire = make_questionnaire(dimensions=2, items_per_dimension=3)
    campaign, _ = make_campaign(
        cast.bakery, questionnaire, teams=("Bakkerij", "Winkel", "Bezorging")
    )
    teams = {t.name: t for t in campaign.teams.all()}
    make_responses(campaign, 9, seed=1, team=teams["Bakkerij"])
    every_item = {item.code: 0 for item in questionnaire.ordered_items()}
    make_responses(campaign, 6, team=teams["Winkel"], values=dict.fromkeys(every_item, 5))
    make_responses(campaign, 2, team=teams["Bezorging"], values=dict.fromkeys(every_item, 1))
    close_round(campaign)

    results = campaign_results(campaign, "en")
    team = results.breakdowns["team"]
    assert {g.label for g in team.suppressed} == {"Winkel", "Bezorging"}
    text = pdf_text(reports.build_report_pdf(campaign, "en"))

    data = load_round(campaign)
    data = with_answers(campaign, data, len(data.respondents))
    for group in team.suppressed:
        members = [r.answers for r in data.respondents if r.team == group.key]
        hidden = scoring.summarize(members, data.item_specs)
        figures = {reports.format_number(d.mean, "en") for d in hidden.dimensions}
        figures.add(reports.format_number(hidden.overall_index, "en"))
        assert figures and figures.isdisjoint(text.split()), group.label
        assert group.label in text
    with translation.override("en"):
        assert " ".join(reason_text("hidden", 5).split()) in " ".join(text.split())
    for group in team.groups:
        assert reports.format_number(group.overall, "en") in text


def test_the_pages_are_numbered_page_x_of_y(bakery_round):
    pdf = reports.build_report_pdf(bakery_round, "en")
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 5
    assert f"Page 3 of {pages}" in pdf_text(pdf)


def test_a_round_below_the_threshold_has_no_report(cast):
    campaign, _ = make_campaign(cast.bakery, make_questionnaire())
    make_responses(campaign, 4)
    with pytest.raises(reports.ReportUnavailable):
        reports.build_report_pdf(campaign, "nl")


def test_open_answers_are_capped_in_number_and_length(cast, monkeypatch):
    monkeypatch.setattr(reports, "OPEN_ANSWERS_MAX", 3)
    campaign, _ = make_campaign(cast.bakery, make_questionnaire(dimensions=1))
    make_responses(campaign, 6, open_text="Meer tijd om te leren. " * 200)
    close_round(campaign)
    context = reports.report_context(campaign, "en")
    question = context["open_answers"][0]
    assert len(question["texts"]) == 3 and question["left_out"] == 3
    assert all(len(t) <= reports.OPEN_ANSWER_MAX_CHARS + 2 for t in question["texts"])


# --- Safety ---------------------------------------------------------------------------------


class Canary:
    """An HTTP server on 127.0.0.1 that counts every request it gets."""

    def __init__(self):
        self.hits: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                canary.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_hostile_names_appear_literally_and_the_renderer_fetches_nothing(cast):
    with Canary() as canary:
        url = f"http://127.0.0.1:{canary.port}"
        cast.bakery.name = f"<b>x</b> @import url({url}/org.css);"
        cast.bakery.save()
        hostile_teams = (
            "<img src=file:///etc/passwd>",
            f'<a href="{url}/team">klik</a>',
            f"<link rel=stylesheet href={url}/t.css>",
        )
        campaign, _ = make_campaign(
            cast.bakery,
            make_questionnaire(dimensions=1),
            name=f"</style><style>@import url({url}/round.css);</style>",
            teams=hostile_teams,
        )
        for i, team in enumerate(campaign.teams.all()):
            make_responses(
                campaign, 6, seed=i, team=team, open_text=f'<img src="{url}/answer.png">'
            )
        close_round(campaign)
        ConsultantProfile.objects.create(
            user=cast.carol, display_name=f"<svg onload=fetch('{url}/svg')>Carol</svg>"
        )

        pdf = reports.build_report_pdf(campaign, "en")
        # Long names wrap at slashes, so compare without whitespace.
        text = re.sub(r"\s", "", pdf_text(pdf))

        assert canary.hits == []
        for literal in (
            cast.bakery.name,
            campaign.name,
            *hostile_teams,
            f'<img src="{url}/answer.png">',
        ):
            assert re.sub(r"\s", "", literal) in text
        assert "Carol</svg>" in text
        assert b"/URI" not in pdf  # no clickable links to anywhere

        # The canary does notice a renderer that fetches: WeasyPrint's own fetcher.
        from weasyprint import HTML

        HTML(string=f'<link rel=stylesheet href="{url}/control.css">').write_pdf()
        assert canary.hits == ["/control.css"]


def test_the_locked_fetcher_refuses_network_files_and_other_data():
    with Canary() as canary:
        url = f"http://127.0.0.1:{canary.port}"
        html = (
            f'<link rel=stylesheet href="{url}/a.css"><style>@import url("{url}/b.css");</style>'
            f'<img src="{url}/c.png"><img src="file:///etc/passwd">'
            '<link rel=stylesheet href="file:///etc/passwd">'
            '<img src="data:image/svg+xml;base64,PHN2Zy8+">'
            '<img src="static/../../../../etc/passwd">'
        )
        result = pdfrender.render_pdf(html, reports.allowed_files(), timeout=30)
        assert result.pdf.startswith(b"%PDF")
        assert canary.hits == []
        refused = " ".join(result.refused_urls)
        assert "a.css" in refused and "b.css" in refused and "c.png" in refused
        assert "file:///etc/passwd" in refused
        assert "data:image/svg+xml" in refused


def test_only_our_css_and_font_files_are_allowed():
    files = reports.allowed_files()
    assert files, "the report CSS and fonts must be found"
    assert all(url.startswith(pdfrender.BASE_URL + "static/") for url in files)
    assert {p.rsplit(".", 1)[-1] for p in files.values()} <= {"css", "ttf", "otf"}
    assert any(p.endswith(".ttf") for p in files.values())


def test_a_render_that_takes_too_long_is_stopped():
    html = "<table>" + "<tr><td>x</td><td>y</td></tr>" * 40000 + "</table>"
    with pytest.raises(pdfrender.RenderError, match="longer than"):
        pdfrender.render_pdf(html, {}, timeout=0.5)


def test_a_render_that_needs_too_much_memory_is_stopped():
    html = "<p>" + "woord " * 400000 + "</p>"
    with pytest.raises(pdfrender.RenderError):
        pdfrender.render_pdf(html, {}, timeout=60, memory_mb=40)


# --- Branding -------------------------------------------------------------------------------


def test_the_consultants_name_and_logo_are_on_the_cover(cast, bakery_round):
    profile = ConsultantProfile(
        user=cast.carol, display_name="Carol Adviseur", organisation_name="Groeikracht"
    )
    profile.logo.save("logo.png", SimpleUploadedFile("logo.png", png_bytes()), save=False)
    profile.save()
    pdf = reports.build_report_pdf(bakery_round, "en")
    cover = PdfReader(io.BytesIO(pdf)).pages[0]
    assert "Carol Adviseur" in cover.extract_text()
    assert len(cover.images) == 1


def test_a_logo_is_checked_on_its_content_not_its_name():
    validate_logo(SimpleUploadedFile("logo.png", png_bytes()))
    with pytest.raises(ValidationError):
        validate_logo(SimpleUploadedFile("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    with pytest.raises(ValidationError):
        validate_logo(SimpleUploadedFile("logo.jpg", b"\xff\xd8\xff" + b"not really a jpeg"))
    with pytest.raises(ValidationError, match="1 MB"):
        validate_logo(SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 1_100_000))


# --- Access, command, cache -----------------------------------------------------------------


def test_alice_downloads_the_report_in_the_language_she_asks_for(client, cast, bakery_round):
    client.force_login(cast.alice)
    url = reverse("assessments:campaign_report", args=[bakery_round.pk])
    response = client.get(url, {"lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('-en.pdf"')
    assert "Page 2 of" in pdf_text(response.content)


def test_hr_of_another_organisation_gets_404(client, cast, bakery_round):
    client.force_login(cast.bert)
    response = client.get(reverse("assessments:campaign_report", args=[bakery_round.pk]))
    assert response.status_code == 404


def test_a_bad_language_falls_back_and_a_small_round_gets_a_friendly_page(client, cast):
    campaign, _ = make_campaign(cast.bakery, make_questionnaire())
    make_responses(campaign, 2)
    close_round(campaign)
    client.force_login(cast.alice)
    url = reverse("assessments:campaign_report", args=[campaign.pk])
    with translation.override("en"):
        response = client.get(url, {"lang": "xx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"fewer than 5 responses" in response.content or b"minder dan 5" in response.content


def test_build_report_writes_the_pdf(bakery_round, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("build_report", str(bakery_round.pk), "-o", str(out), "--lang", "en")
    assert out.read_bytes().startswith(b"%PDF")


def test_build_report_explains_what_is_wrong(cast, tmp_path):
    with pytest.raises(CommandError, match="no round with id"):
        call_command("build_report", "999999", "-o", str(tmp_path / "x.pdf"))
    campaign, _ = make_campaign(cast.bakery, make_questionnaire())
    out = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="appear when the round closes"):
        call_command("build_report", str(campaign.pk), "-o", out, "--lang", "en")
    close_round(campaign)
    with pytest.raises(CommandError, match="fewer than 5 responses"):
        call_command("build_report", str(campaign.pk), "-o", out, "--lang", "en")


def test_a_cached_report_is_reused_until_a_new_response_arrives(cast, monkeypatch):
    # An open round with interim results: its report says how many responses came in.
    bakery_round, _ = make_campaign(
        cast.bakery, make_questionnaire(), interim_results=Campaign.Interim.ORGANISATION
    )
    make_responses(bakery_round, 17)
    builds = []
    real = reports.build_report_pdf

    def counting(campaign, language):
        builds.append(language)
        return real(campaign, language)

    monkeypatch.setattr(reports, "build_report_pdf", counting)
    first = reports.get_report_pdf(bakery_round, "en")
    assert reports.get_report_pdf(bakery_round, "en") == first
    assert builds == ["en"]

    make_responses(bakery_round, 1, seed=99)
    again = reports.get_report_pdf(bakery_round, "en")
    assert builds == ["en", "en"]
    assert again != first
    assert f"{bakery_round.responses.count()}" in pdf_text(again)


def test_the_cache_key_follows_round_state_language_and_threshold(bakery_round):
    key = reports.report_cache_key(bakery_round, "nl")
    assert reports.report_cache_key(bakery_round, "en") != key
    bakery_round.threshold = 6
    assert reports.report_cache_key(bakery_round, "nl") != key
    bakery_round.threshold = 5
    bakery_round.status = "open"
    assert reports.report_cache_key(bakery_round, "nl") != key


def test_the_command_and_the_view_agree_on_the_figures(client, cast, bakery_round, tmp_path):
    out = tmp_path / "cmd.pdf"
    call_command("build_report", str(bakery_round.pk), "-o", str(out), "--lang", "en")
    client.force_login(cast.alice)
    response = client.get(
        reverse("assessments:campaign_report", args=[bakery_round.pk]), {"lang": "en"}
    )
    numbers = re.compile(r"\d+[.,]\d\d|\d+%")
    assert numbers.findall(pdf_text(out.read_bytes())) == numbers.findall(
        pdf_text(response.content)
    )

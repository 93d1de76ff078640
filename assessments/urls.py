from django.urls import path, register_converter

from .views import (
    accounts,
    exports,
    lifecycle,
    management,
    plans,
    reports,
    results,
    survey,
    workspace,
)


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DimensionCode:
    regex = "D[0-9]{1,2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "exportformat")
register_converter(DimensionCode, "dimension")

app_name = "assessments"

survey_patterns = [
    # Employee questionnaire (public; the token URLs redirect at once to token-free URLs).
    path("s/<str:token>/", survey.survey_entry, name="survey_entry"),
    path("i/<str:token>/", survey.invitation_entry, name="invitation_entry"),
    path("code/", survey.code_entry, name="code_entry"),
    path("survey/", survey.survey_intro, name="survey_intro"),
    path("survey/step/<int:number>/", survey.survey_step, name="survey_step"),
    path("survey/paused/", survey.survey_paused, name="survey_paused"),
    path("survey/review/", survey.survey_review, name="survey_review"),
    path("survey/done/", survey.survey_done, name="survey_done"),
    path("survey/resume/", survey.survey_resume, name="survey_resume"),
    path("survey/again/", survey.survey_again, name="survey_again"),
    path("privacy/", survey.privacy, name="privacy"),
]

# --- Workspace (issue 3) -------------------------------------------------------------------
workspace_patterns = [
    path("", workspace.home, name="home"),
    path("consultants/", accounts.consultants, name="consultants"),
    path("consultants/existing/", accounts.consultant_promote, name="consultant_promote"),
    path("organisations/new/", workspace.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", workspace.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", workspace.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/hr/new/", workspace.member_add, name="member_add"),
    path("organisations/<int:pk>/teams/new/", workspace.team_create, name="team_create"),
    path("organisations/<int:pk>/rounds/new/", workspace.campaign_create, name="campaign_create"),
    path("teams/<int:pk>/edit/", workspace.team_edit, name="team_edit"),
    path("teams/<int:pk>/delete/", workspace.team_delete, name="team_delete"),
    path("rounds/<int:pk>/", workspace.campaign_detail, name="campaign_detail"),
    path("rounds/<int:pk>/edit/", workspace.campaign_edit, name="campaign_edit"),
    path("rounds/<int:pk>/open/", workspace.campaign_open, name="campaign_open"),
    path("rounds/<int:pk>/close/", workspace.campaign_close, name="campaign_close"),
    path("rounds/<int:pk>/copy/", workspace.campaign_copy, name="campaign_copy"),
    path("rounds/<int:pk>/progress.json", workspace.campaign_progress, name="campaign_progress"),
    path("rounds/<int:pk>/share/", workspace.campaign_share, name="campaign_share"),
    path("rounds/<int:pk>/qr.png", workspace.campaign_qr_png, name="campaign_qr_png"),
    path("rounds/<int:pk>/qr.svg", workspace.campaign_qr_svg, name="campaign_qr_svg"),
    path("rounds/<int:pk>/sheet/", workspace.campaign_sheet, name="campaign_sheet"),
    path("rounds/<int:pk>/invitations/", workspace.invitations, name="invitations"),
    path("rounds/<int:pk>/invitations/send/", workspace.invitation_send, name="invitation_send"),
    path(
        "rounds/<int:pk>/invitations/remind/",
        workspace.invitation_remind,
        name="invitation_remind",
    ),
    path(
        "rounds/<int:pk>/invitations/add-valid/",
        workspace.invitation_add_valid,
        name="invitation_add_valid",
    ),
    path(
        "rounds/<int:pk>/invitations/to-fix.csv",
        workspace.invitation_problems,
        name="invitation_problems",
    ),
    path(
        "rounds/<int:pk>/invitations/clear/",
        workspace.invitation_clear,
        name="invitation_clear",
    ),
]
# --- end of workspace -----------------------------------------------------------------------

# --- Exports and data lifecycle (issue 6) ----------------------------------------------------
export_patterns = [
    path(
        "rounds/<int:pk>/export/aggregate.<exportformat:fmt>",
        exports.export,
        {"kind": "aggregate"},
        name="export_aggregate",
    ),
    path(
        "rounds/<int:pk>/export/responses.<exportformat:fmt>",
        exports.export,
        {"kind": "responses"},
        name="export_responses",
    ),
    path(
        "organisations/<int:pk>/delete/",
        lifecycle.organisation_delete,
        name="organisation_delete",
    ),
]
# --- end of exports ---------------------------------------------------------------------------


# --- PDF report (issue 5) ------------------------------------------------------------------
report_patterns = [
    path("rounds/<int:pk>/report.pdf", reports.campaign_report, name="campaign_report"),
]


# --- Results (issue 4): HR and consultants of the round's organisation ---------------------
results_patterns = [
    path("rounds/<int:pk>/results/", results.campaign_results_view, name="campaign_results"),
]


# --- The management view and the action plan (issue 12) -------------------------------------
improvement_patterns = [
    # The management team's questionnaire: public, behind its own link, scoped by the session
    # (tests/test_management_view.py).
    path("m/<str:token>/", management.management_entry, name="management_entry"),
    path("management/", management.management_intro, name="management_intro"),
    path("management/step/<int:number>/", management.management_step, name="management_step"),
    path("management/review/", management.management_review, name="management_review"),
    path("management/done/", management.management_done, name="management_done"),
    # HR and consultants of the round's organisation.
    path(
        "rounds/<int:pk>/management/",
        management.campaign_management,
        name="campaign_management",
    ),
    path("rounds/<int:pk>/plan/", plans.plan, name="plan"),
    path("rounds/<int:pk>/plan/actions/new/", plans.action_create, name="action_create"),
    path("actions/<int:pk>/", plans.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", plans.action_delete, name="action_delete"),
    path(
        "rounds/<int:pk>/export/plan.<exportformat:fmt>",
        exports.export,
        {"kind": "plan"},
        name="export_plan",
    ),
    path(
        "rounds/<int:pk>/dialogue/<dimension:code>.pdf",
        plans.dialogue_kit,
        name="dialogue_kit",
    ),
]

urlpatterns = (
    survey_patterns
    + workspace_patterns
    + results_patterns
    + report_patterns
    + export_patterns
    + improvement_patterns
)

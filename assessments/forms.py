"""Workspace forms. Every error message is written for the person filling in the form."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import addresses
from .models import (
    DEFAULT_RETENTION_MONTHS,
    MAX_FOCUS_DIMENSIONS,
    Campaign,
    Intervention,
    ManagementRole,
    Organisation,
    PlanAction,
    Questionnaire,
    Team,
)


def _helper(submit_label: str, *, layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_method = "post"
    if layout is not None:
        helper.layout = layout
    helper.add_input(Submit("submit", submit_label))
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonForm(forms.Form):
    """A new account: consultants (made by staff) and HR managers (made by a consultant)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={"invalid": _("Enter an e-mail address like name@example.nl.")},
        help_text=_("We send a link to this address to set a password."),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label or _("Create account and send e-mail"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ConsultantForm(PersonForm):
    def clean_email(self) -> str:
        email = super().clean_email()
        users = get_user_model().objects
        if (
            users.filter(email__iexact=email).exists()
            or users.filter(username__iexact=email).exists()
        ):
            raise forms.ValidationError(
                _(
                    "There is already an account with this address. To let it create client "
                    "organisations, use “Make an existing account a consultant”."
                )
            )
        return email


class ExistingConsultantForm(forms.Form):
    """Staff make an account that already exists (an HR manager, say) a consultant."""

    account = forms.CharField(
        label=_("E-mail address or username"),
        max_length=254,
        error_messages={"required": _("Fill in the e-mail address or username of the account.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Make consultant"))
        self.helper.form_action = "assessments:consultant_promote"
        self.user = None

    def clean_account(self) -> str:
        from .accounts import find_account

        name = self.cleaned_data["account"].strip()
        self.user = find_account(name)
        if self.user is None:
            raise forms.ValidationError(
                _("There is no account with this e-mail address or username.")
            )
        return name


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector", "size_band"]
        labels = {"size_band": _("Number of employees")}
        help_texts = {
            "sector": _("Used to compare with similar organisations later."),
        }
        error_messages = {
            "name": {"required": _("Give the organisation a name.")},
            "sector": {"required": _("Choose the sector the organisation works in.")},
            "size_band": {"required": _("Choose how many people work there.")},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the organisation a name."))
        return name


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "size"]
        labels = {"name": _("Team name"), "size": _("Number of employees (optional)")}
        error_messages = {
            "name": {"required": _("Give the team a name.")},
            "size": {"invalid": _("Enter the number of employees as a whole number, like 12.")},
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.helper = _helper(_("Save team"))

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the team a name."))
        others = Team.objects.filter(organisation=self.organisation, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("There is already a team with this name."))
        return name

    def clean_size(self) -> int | None:
        size = self.cleaned_data.get("size")
        if size is not None and size < 1:
            raise forms.ValidationError(_("A team has at least 1 employee; or leave this empty."))
        return size


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "questionnaire",
            "opens_on",
            "closes_on",
            "threshold",
            "interim_results",
            "ask_team",
            "ask_role",
            "ask_tenure",
            "ask_contract",
            "default_language",
            "expected_respondents",
            "retention_months",
        ]
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "interim_results": forms.RadioSelect(),
        }
        labels = {
            "name": _("Name of the round"),
            "questionnaire": _("Questionnaire"),
            "opens_on": _("Opening date"),
            "closes_on": _("Closing date"),
            "threshold": _("Minimum group size (k)"),
            "interim_results": _("Results while the round is open"),
            "expected_respondents": _("Number of employees invited (optional)"),
        }
        help_texts = {
            "threshold": _(
                "Results, counts and comments are only shown for groups of at least this "
                "many people. At least 3; 5 is recommended."
            ),
            "closes_on": _("The round closes automatically at the end of this day."),
            "interim_results": _(
                "Interim results show the organisation as a whole and are updated per k new "
                "responses (k = the minimum group size). They cost detail at the end: each "
                "update fixes who had answered by then, so at close a team or group can only be "
                "shown if it has 0 or at least k people in every such step. In simulations of "
                "organisations of 25 to 150 people, no team or other group could be shown at "
                "close after interim results. Choose them only if the organisation as a whole "
                "is enough, for example with fewer than 10 respondents. This cannot be changed "
                "once the round is open."
            ),
            "default_language": _("Employees can switch language in the questionnaire."),
        }
        error_messages = {
            "name": {"required": _("Give the round a name, for example “Spring 2026”.")},
            "questionnaire": {"required": _("Choose a questionnaire.")},
            "opens_on": {
                "required": _("Fill in the opening date."),
                "invalid": _("Enter the opening date as day-month-year."),
            },
            "closes_on": {
                "required": _("Fill in the closing date."),
                "invalid": _("Enter the closing date as day-month-year."),
            },
            "threshold": {
                "required": _("Fill in the minimum group size (at least 3)."),
                "invalid": _("Enter the minimum group size as a whole number, like 5."),
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.published()
        self.fields["questionnaire"].empty_label = None
        self.fields["threshold"].min_value = settings.ANONYMITY_MIN_THRESHOLD
        self.fields["threshold"].widget.attrs["min"] = settings.ANONYMITY_MIN_THRESHOLD
        if not self.instance.pk:
            self.initial.setdefault("threshold", settings.ANONYMITY_DEFAULT_THRESHOLD)
        self.helper = _helper(
            _("Save round"),
            layout=Layout(
                "name",
                "questionnaire",
                Div(
                    Div("opens_on", css_class="col-sm-6"),
                    Div("closes_on", css_class="col-sm-6"),
                    css_class="row",
                ),
                "threshold",
                "interim_results",
                Fieldset(
                    _("Which background questions are asked?"),
                    Field("ask_team"),
                    Field("ask_role"),
                    Field("ask_tenure"),
                    Field("ask_contract"),
                ),
                "default_language",
                "expected_respondents",
                "retention_months",
            ),
        )
        # Optional in the form: an empty field keeps the default period.
        self.fields["retention_months"].required = False
        # Not choosing is choosing the default: no interim results.
        self.fields["interim_results"].required = False
        self.fields["retention_months"].widget.attrs["min"] = 1

    def clean_interim_results(self) -> str:
        return self.cleaned_data.get("interim_results") or Campaign.Interim.NONE

    def clean_retention_months(self) -> int:
        months = self.cleaned_data.get("retention_months")
        return DEFAULT_RETENTION_MONTHS if months is None else months

    def clean_threshold(self) -> int:
        threshold = self.cleaned_data["threshold"]
        if threshold is None or threshold < settings.ANONYMITY_MIN_THRESHOLD:
            raise forms.ValidationError(
                _("The minimum group size must be at least %(min)d to keep answers anonymous.")
                % {"min": settings.ANONYMITY_MIN_THRESHOLD}
            )
        if threshold > 50:
            raise forms.ValidationError(_("The minimum group size can be at most 50."))
        return threshold

    def clean_expected_respondents(self) -> int | None:
        value = self.cleaned_data.get("expected_respondents")
        if value is not None and value < 1:
            raise forms.ValidationError(_("Enter at least 1, or leave this empty."))
        return value

    def clean(self) -> dict:
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        elif closes_on and closes_on < timezone.localdate():
            self.add_error("closes_on", _("The closing date is in the past."))
        return data


def _team_size_field(label: str, initial: int | None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        initial=initial,
        min_value=1,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={
            "min_value": _("A team has at least 1 employee; or leave this empty."),
            "invalid": _("Enter the number of employees as a whole number, like 12."),
        },
    )


class OpenRoundForm(forms.ModelForm):
    """What may still change once a round is open: the closing date and the headcount.

    The settings that shaped what was published (Campaign.LOCKED_ONCE_OPEN) are deliberately
    not fields, and neither are the name and opening date that invitations already showed.
    The frozen team sizes only feed the response rate, so they may be corrected too.
    """

    class Meta:
        model = Campaign
        fields = ["closes_on", "expected_respondents"]
        widgets = {"closes_on": DateInput()}
        labels = {
            "closes_on": _("Closing date"),
            "expected_respondents": _("Number of employees invited"),
        }
        help_texts = {
            "closes_on": _(
                "The round closes automatically at the end of this day. You can extend it, "
                "or move it forward, but not to before today."
            ),
            "expected_respondents": _(
                "Everyone who received the link or the poster; used for the response rate "
                "when no personal invitations are sent."
            ),
        }
        error_messages = {
            "closes_on": {
                "required": _("Fill in the closing date."),
                "invalid": _("Enter the closing date as day-month-year."),
            },
            "expected_respondents": {
                "invalid": _("Enter the number of employees as a whole number, like 12."),
            },
        }

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.teams = list(teams)
        for team in self.teams:
            self.fields[self.team_field(team)] = _team_size_field(team.name, team.size)
        self.fields["expected_respondents"].widget.attrs.update(min=1, inputmode="numeric")
        sizes = [team.size for team in self.teams]
        self.team_total = sum(sizes) if sizes and None not in sizes else None
        if self.team_total:
            self.fields["expected_respondents"].help_text = _(
                "The teams of this round add up to %(n)d employees."
            ) % {"n": self.team_total}
            if self.instance.expected_respondents is None:
                # A suggestion the person sees and confirms; the rate itself still only counts
                # what is saved here.
                self.initial["expected_respondents"] = self.team_total
        layout = ["closes_on", "expected_respondents"]
        if self.teams:
            layout.append(
                Fieldset(
                    _("Number of employees per team (for the response rate per team)"),
                    *[self.team_field(t) for t in self.teams],
                    css_class="team-sizes",
                )
            )
        self.helper = _helper(_("Save"), layout=Layout(*layout))

    @staticmethod
    def team_field(team) -> str:
        return f"team-{team.pk}"

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on < timezone.localdate():
            raise forms.ValidationError(
                _("The closing date cannot be in the past. Choose today or a later date.")
            )
        return closes_on

    def clean_expected_respondents(self) -> int | None:
        value = self.cleaned_data.get("expected_respondents")
        if value is not None and value < 1:
            raise forms.ValidationError(_("Enter at least 1, or leave this empty."))
        return value

    def changed_team_sizes(self) -> list[tuple[object, int | None]]:
        """(team, new size) for every frozen team whose size the form changes.

        A field missing from the request leaves its team alone: only an emptied field means
        "not known".
        """
        return [
            (team, self.cleaned_data.get(self.team_field(team)))
            for team in self.teams
            if self.add_prefix(self.team_field(team)) in self.data
            and self.cleaned_data.get(self.team_field(team)) != team.size
        ]


class InvitationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File with e-mail addresses"),
        required=False,
        help_text=_(
            "A .csv or .xlsx file with one address per row, for example exported from your "
            "HR system. At most %(rows)d addresses and %(mb)d MB."
        )
        % {"rows": addresses.MAX_ROWS, "mb": addresses.MAX_FILE_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    pasted = forms.CharField(
        label=_("Or paste the addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("One address per line, or separated by commas or semicolons."),
        max_length=addresses.MAX_FILE_BYTES,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Check and add addresses"))
        self.result: addresses.AddressList | None = None

    def clean(self) -> dict:
        data = super().clean()
        upload, pasted = data.get("file"), (data.get("pasted") or "").strip()
        if self.errors:
            return data
        if not upload and not pasted:
            raise forms.ValidationError(_("Choose a file or paste at least one address."))
        if upload and pasted:
            raise forms.ValidationError(
                _("Use either a file or pasted addresses, not both at once.")
            )
        try:
            if upload:
                if upload.size > addresses.MAX_FILE_BYTES:
                    raise addresses.UnreadableFile(
                        _("The file is larger than %(max)d MB.")
                        % {"max": addresses.MAX_FILE_BYTES // (1024 * 1024)}
                    )
                rows = addresses.file_rows(upload.name, upload.read(addresses.MAX_FILE_BYTES + 1))
            else:
                rows = addresses.pasted_rows(pasted)
            self.result = addresses.collect(rows)
        except addresses.UnreadableFile as exc:
            raise forms.ValidationError(str(exc)) from exc
        if self.result.too_many:
            raise forms.ValidationError(
                _("The list has more than %(max)d addresses. Split it into smaller lists.")
                % {"max": addresses.MAX_ROWS}
            )
        if not self.result.errors and not self.result.addresses:
            raise forms.ValidationError(_("No e-mail addresses were found."))
        return data


class SheetLanguageForm(forms.Form):
    lang = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language"))


class InvitedAccountsPasswordResetForm(PasswordResetForm):
    """Also lets invited accounts that never set a password ask for a new link."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.email.lower() == email.lower())


# --- The management view and the action plan (issue 12) -----------------------------------

# The management team is a handful of people: a longer list is almost certainly a mistake
# (the employees' list, say), and each address gets the same link.
MANAGEMENT_INVITATIONS_MAX = 30


class ManagementIntroForm(forms.Form):
    """Who is answering: the management view is not anonymous within the management team."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        error_messages={
            "required": _("Fill in your name, so the management team knows whose view this is.")
        },
    )
    role = forms.ChoiceField(
        label=_("Your role"),
        choices=ManagementRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your role in the management team.")},
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(
                _("Fill in your name, so the management team knows whose view this is.")
            )
        return name


class ManagementInviteForm(forms.Form):
    pasted = forms.CharField(
        label=_("E-mail addresses of the management team"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("One address per line, or separated by commas or semicolons."),
        max_length=10_000,
        error_messages={"required": _("Paste at least one e-mail address.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send the link by e-mail"))
        self.addresses: list[str] = []

    def clean_pasted(self) -> str:
        text = self.cleaned_data["pasted"]
        result = addresses.collect(addresses.pasted_rows(text))
        if result.errors:
            raise forms.ValidationError(
                [
                    _("Line %(line)d: %(value)s %(reason)s.")
                    % {"line": e.line, "value": e.value, "reason": e.reason}
                    for e in result.errors[:10]
                ]
            )
        if not result.addresses:
            raise forms.ValidationError(_("No e-mail addresses were found."))
        if len(result.addresses) > MANAGEMENT_INVITATIONS_MAX:
            raise forms.ValidationError(
                _(
                    "This is a list of %(n)d addresses; the management view is for the "
                    "management team only (at most %(max)d people)."
                )
                % {"n": len(result.addresses), "max": MANAGEMENT_INVITATIONS_MAX}
            )
        self.addresses = result.addresses
        return text


class FocusForm(forms.Form):
    """One to three dimensions to work on, chosen after the round closed."""

    focus = forms.MultipleChoiceField(
        label=_("Focus dimensions"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one dimension to work on."),
            "invalid_choice": _("Choose dimensions from the list."),
        },
    )

    def __init__(self, *args, dimensions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus"].choices = dimensions

    def clean_focus(self) -> list[str]:
        focus = self.cleaned_data["focus"]
        if len(focus) > MAX_FOCUS_DIMENSIONS:
            raise forms.ValidationError(
                _(
                    "Choose at most %(max)d dimensions: with more, the plan spreads too thin "
                    "to change anything."
                )
                % {"max": MAX_FOCUS_DIMENSIONS}
            )
        return focus


class CodeChoiceField(forms.ModelChoiceField):
    """A model choice keyed by a text code: a code with a NUL byte is simply not a choice.

    PostgreSQL refuses NUL in a text lookup, so the value is judged before the query is made.
    """

    def to_python(self, value):
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ActionForm(forms.ModelForm):
    """One action of a plan, picked from the library (``intervention``) or written by hand."""

    class Meta:
        model = PlanAction
        fields = [
            "dimension",
            "intervention",
            "title",
            "owner",
            "starts_on",
            "due_on",
            "status",
            "note",
        ]
        widgets = {
            "starts_on": DateInput(),
            "due_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "intervention": forms.HiddenInput(),
        }
        field_classes = {"dimension": CodeChoiceField, "intervention": CodeChoiceField}
        labels = {
            "title": _("What will you do?"),
            "owner": _("Who makes sure it happens?"),
            "starts_on": _("Start"),
            "due_on": _("Ready by"),
            "note": _("Note (optional)"),
        }
        help_texts = {
            "owner": _("A name, for example “Jan de Bakker”."),
            "due_on": _("HR gets an e-mail on this date if the action is not done or stopped."),
        }
        error_messages = {
            "title": {
                "required": _("Write down what you are going to do: the action needs a title.")
            },
            "owner": {"required": _("Fill in who makes sure it happens (a name).")},
            "starts_on": {
                "required": _("Fill in the start date."),
                "invalid": _("Enter the start date as day-month-year."),
            },
            "due_on": {
                "required": _("Fill in the date the action should be ready."),
                "invalid": _("Enter the date as day-month-year."),
            },
            "dimension": {
                "required": _("Choose the dimension this action works on."),
                "invalid_choice": _("Choose one of the plan's focus dimensions."),
            },
            "status": {"invalid_choice": _("Choose a status from the list.")},
        }

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        dimension = self.fields["dimension"]
        dimension.queryset = plan.focus.order_by("position")
        dimension.to_field_name = "code"
        dimension.empty_label = None
        dimension.label = _("Dimension")
        dimension.label_from_instance = lambda d: d.name
        intervention = self.fields["intervention"]
        intervention.queryset = Intervention.objects.all()
        intervention.to_field_name = "code"
        intervention.required = False
        intervention.error_messages["invalid_choice"] = _(
            "That intervention is not in the library (any more): write the action by hand."
        )
        if self.instance.pk:
            # The fields are keyed by code; a model form's initial values are primary keys.
            self.initial["dimension"] = self.instance.dimension.code
            if self.instance.intervention_id:
                self.initial["intervention"] = self.instance.intervention.code
        self.fields["note"].max_length = 2000
        self.fields["note"].widget.attrs["maxlength"] = 2000
        self.helper = _helper(
            _("Save action"),
            layout=Layout(
                "dimension",
                "intervention",
                "title",
                "owner",
                Div(
                    Div("starts_on", css_class="col-sm-6"),
                    Div("due_on", css_class="col-sm-6"),
                    css_class="row",
                ),
                "status",
                "note",
            ),
        )
        # The server's messages, in the page's language, rather than the browser's.
        self.helper.attrs = {"novalidate": ""}

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(
                _("Write down what you are going to do: the action needs a title.")
            )
        return title

    def clean_owner(self) -> str:
        owner = " ".join(self.cleaned_data["owner"].split())
        if not owner:
            raise forms.ValidationError(_("Fill in who makes sure it happens (a name)."))
        return owner

    def clean(self) -> dict:
        data = super().clean()
        starts_on, due_on = data.get("starts_on"), data.get("due_on")
        if starts_on and due_on and due_on < starts_on:
            self.add_error(
                "due_on",
                _(
                    "The date it should be ready is before the start date. Choose a date on "
                    "or after the start."
                ),
            )
        return data

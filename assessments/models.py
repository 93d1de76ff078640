"""Questionnaire content, tenants, rounds and answers (DESIGN.md §3–4).

Anonymity is built into the schema: a Response has no link to a person, an invitation, an IP
address, a date or a time, and its primary key is random so that row order says nothing about
who answered when. Its submission number within the round is used only to publish an open
round's results in steps (anonymity.py) and is never shown.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.db.transaction import TransactionManagementError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import scoring


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 digests; they carry ≥128 bits, so no salt or KDF is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_token(purpose: str, salt: str) -> str:
    """A 256-bit URL-safe token derived from SECRET_KEY and a random per-object salt.

    Only the token's hash is stored, so a copy of the database alone opens no questionnaire;
    deriving it (instead of storing it) lets the share page and reminders show the same link
    again. Rotating SECRET_KEY therefore changes links: rounds get a new link on "reset link".
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# The round's short code, printed on the poster next to the QR code and typed at /code/. No 0/O,
# 1/I/L: read off a wall and typed on a phone, they are mistaken for each other.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# 31^8 ≈ 8·10^11 codes: guessing an open round's code under the rate limit is hopeless.
SHORT_CODE_LENGTH = 8


def derive_short_code(salt: str) -> str:
    """The round's short code, derived like its link from SECRET_KEY and the link's salt."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"campaign-code:{salt}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _position in range(SHORT_CODE_LENGTH):
        number, index = divmod(number, len(SHORT_CODE_ALPHABET))
        chars.append(SHORT_CODE_ALPHABET[index])
    return "".join(chars)


def normalize_short_code(text: str) -> str:
    """The code as stored (upper case, no spaces or dashes), or "" when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -.\t")
    if len(cleaned) != SHORT_CODE_LENGTH or any(ch not in SHORT_CODE_ALPHABET for ch in cleaned):
        return ""
    return cleaned


def hash_short_code(code: str) -> str:
    """A keyed hash: eight characters are only ~40 bits, so a plain hash in a copy of the
    database could be reversed by trying every code; this one also needs SECRET_KEY."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"short-code:{code}".encode(), hashlib.sha256
    ).hexdigest()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def localized(obj: object, field: str, language: str | None = None) -> str:
    """The Dutch or English variant of a content field, falling back to Dutch."""
    lang = (language or get_language() or "nl")[:2]
    value = getattr(obj, f"{field}_{lang}", "") if lang in {"nl", "en"} else ""
    return value or getattr(obj, f"{field}_nl")


class Localized:
    """``name = Localized()`` reads ``name_nl`` or ``name_en`` in the active language
    (see :func:`localized`)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    def __get__(self, obj: object, owner: type | None = None):
        return self if obj is None else localized(obj, self.field)


# --- Questionnaire content --------------------------------------------------------------


class QuestionnaireQuerySet(models.QuerySet):
    def published(self) -> QuestionnaireQuerySet:
        return self.filter(is_published=True)


class Questionnaire(models.Model):
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    instruction_nl = models.TextField(_("instruction (Dutch)"), blank=True)
    instruction_en = models.TextField(_("instruction (English)"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name_nl} (v{self.version})"

    name = Localized()

    instruction = Localized()

    def has_answers(self) -> bool:
        return Answer.objects.filter(item__dimension__questionnaire=self).exists() or (
            OpenAnswer.objects.filter(question__questionnaire=self).exists()
        )

    def minutes_to_complete(self) -> int:
        """The time the questionnaire promises (intro, poster, e-mails): presentation's rule."""
        from .presentation import minutes_to_complete

        return minutes_to_complete(Item.objects.filter(dimension__questionnaire=self).count())

    def ordered_items(self) -> list[Item]:
        return list(
            Item.objects.filter(dimension__questionnaire=self)
            .select_related("dimension", "indicator")
            .order_by("dimension__position", "position")
        )

    @transaction.atomic
    def new_version(self) -> Questionnaire:
        """Copy this questionnaire and all its content into the next version, unpublished."""
        latest = Questionnaire.objects.filter(code=self.code).order_by("-version").first()
        copy = Questionnaire.objects.create(
            code=self.code,
            version=(latest.version if latest else self.version) + 1,
            name_nl=self.name_nl,
            name_en=self.name_en,
            instruction_nl=self.instruction_nl,
            instruction_en=self.instruction_en,
            is_published=False,
        )
        for dimension in self.dimensions.prefetch_related("indicators", "items", "recommendations"):
            new_dim = Dimension.objects.create(
                questionnaire=copy,
                **_content_fields(dimension, exclude={"questionnaire"}),
            )
            indicator_map = {}
            for indicator in dimension.indicators.all():
                indicator_map[indicator.pk] = Indicator.objects.create(
                    dimension=new_dim, **_content_fields(indicator, exclude={"dimension"})
                )
            for item in dimension.items.all():
                Item.objects.create(
                    dimension=new_dim,
                    indicator=indicator_map[item.indicator_id],
                    **_content_fields(item, exclude={"dimension", "indicator"}),
                )
            for rec in dimension.recommendations.all():
                Recommendation.objects.create(
                    dimension=new_dim, **_content_fields(rec, exclude={"dimension"})
                )
        for question in self.open_questions.all():
            OpenQuestion.objects.create(
                questionnaire=copy, **_content_fields(question, exclude={"questionnaire"})
            )
        return copy


def _content_fields(obj: models.Model, exclude: set[str]) -> dict:
    return {
        f.name: getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in exclude
    }


class LockedContentMixin:
    """Refuse edits that would change the meaning of stored answers.

    Content of a questionnaire that already has answers is frozen; the operator makes a new
    version instead (admin action "Maak een nieuwe versie").
    """

    def questionnaire_for_lock(self) -> Questionnaire | None:
        raise NotImplementedError

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        questionnaire = self.questionnaire_for_lock()
        # New content counts too: an added item would change existing respondents' scores.
        if questionnaire and questionnaire.has_answers():
            raise ValidationError(
                _(
                    "This questionnaire already has answers, so its content can no longer be "
                    "changed. Make a new version of the questionnaire and edit that one."
                )
            )


class Dimension(LockedContentMixin, models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.CharField(_("code"), max_length=10)
    position = models.PositiveSmallIntegerField(_("position"))
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    short_name_nl = models.CharField(_("short name (Dutch)"), max_length=60)
    short_name_en = models.CharField(_("short name (English)"), max_length=60)
    explanation_nl = models.TextField(_("explanation (Dutch)"))
    explanation_en = models.TextField(_("explanation (English)"))

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="dimension_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_nl}"

    def questionnaire_for_lock(self) -> Questionnaire | None:
        return self.questionnaire if self.questionnaire_id else None

    name = Localized()

    short_name = Localized()

    explanation = Localized()


class Indicator(LockedContentMixin, models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"))
    # The model's own wording (Korevaar et al.), kept for the report's method appendix.
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    plain_name_nl = models.CharField(
        _("plain name (Dutch)"),
        max_length=200,
        blank=True,
        help_text=_("The wording HR reads (B1 level); empty: the name."),
    )
    plain_name_en = models.CharField(_("plain name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension", "position"]

    def __str__(self) -> str:
        return self.name_nl

    def questionnaire_for_lock(self) -> Questionnaire | None:
        return self.dimension.questionnaire if self.dimension_id else None

    name = Localized()

    @property
    def plain_name(self) -> str:
        lang = (get_language() or "nl")[:2]
        plain = getattr(self, f"plain_name_{lang}", "") if lang in {"nl", "en"} else ""
        return plain or self.name


class Item(LockedContentMixin, models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=10, help_text=_("Stable ID, e.g. D1.3"))
    position = models.PositiveSmallIntegerField(_("position"))
    text_nl = models.TextField(_("statement (Dutch)"))
    text_en = models.TextField(_("statement (English)"))
    is_reversed = models.BooleanField(_("reverse scored"), default=False)
    allows_not_applicable = models.BooleanField(_('offers "don\'t know / n/a"'), default=False)
    in_quick_scan = models.BooleanField(_("part of the quick scan"), default=False)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["dimension", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text_nl[:60]}"

    def questionnaire_for_lock(self) -> Questionnaire | None:
        return self.dimension.questionnaire if self.dimension_id else None

    text = Localized()

    def spec(self) -> scoring.ItemSpec:
        """What scoring needs of the item (select_related("dimension") to avoid a query)."""
        return scoring.ItemSpec(
            self.code, self.dimension.code, str(self.indicator_id), self.is_reversed
        )


class Recommendation(LockedContentMixin, models.Model):
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="recommendations"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_nl = models.TextField(_("text (Dutch)"))
    body_en = models.TextField(_("text (English)"))

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["dimension", "position"]

    def __str__(self) -> str:
        return self.title_nl

    def questionnaire_for_lock(self) -> Questionnaire | None:
        return self.dimension.questionnaire if self.dimension_id else None

    title = Localized()

    body = Localized()


class OpenQuestion(LockedContentMixin, models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="open_questions"
    )
    code = models.CharField(_("code"), max_length=10)
    position = models.PositiveSmallIntegerField(_("position"))
    text_nl = models.TextField(_("question (Dutch)"))
    text_en = models.TextField(_("question (English)"))

    class Meta:
        verbose_name = _("open question")
        verbose_name_plural = _("open questions")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="open_question_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text_nl[:60]}"

    def questionnaire_for_lock(self) -> Questionnaire | None:
        return self.questionnaire if self.questionnaire_id else None

    text = Localized()


# --- Tenants ----------------------------------------------------------------------------


class Sector(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing and engineering")
    CONSTRUCTION = "construction", _("Construction and installation")
    TRADE = "trade", _("Wholesale and retail")
    HOSPITALITY = "hospitality", _("Hospitality and leisure")
    TRANSPORT = "transport", _("Transport and logistics")
    ICT = "ict", _("ICT and communication")
    BUSINESS_SERVICES = "business_services", _("Business services")
    CARE = "care", _("Health care and welfare")
    EDUCATION = "education", _("Education")
    AGRICULTURE = "agriculture", _("Agriculture and food")
    PUBLIC = "public", _("Public sector")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250+", _("250 or more employees")


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user) -> OrganisationQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(memberships__user=user).distinct()


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        HR = "hr", _("HR manager")
        CONSULTANT = "consultant", _("Consultant")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    size = models.PositiveIntegerField(
        _("number of employees"),
        null=True,
        blank=True,
        help_text=_("Optional; needed to show the response rate of the team."),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Rounds -----------------------------------------------------------------------------


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Employee (no managerial tasks)")
    MANAGER = "manager", _("Manager (e.g. team leader, foreman, shift leader)")
    DIRECTOR = "director", _("Management / owner")


class Tenure(models.TextChoices):
    UNDER_1 = "lt1", _("Less than 1 year")
    FROM_1_TO_5 = "1-5", _("1–5 years")
    OVER_5 = "gt5", _("More than 5 years")


class Contract(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    TEMPORARY = "temporary", _("Temporary / flexible (incl. agency, on-call)")
    WORK_STUDY = "work_study", _("Work-study (BBL / internship)")


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user) -> CampaignQuerySet:
        return self.filter(organisation__in=Organisation.objects.for_user(user))

    def open(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.OPEN)

    def closed(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.CLOSED)

    def past_retention(self, today: date | None = None) -> list[Campaign]:
        """Closed rounds whose individual answers are due for deletion on ``today``."""
        today = today or timezone.localdate()
        candidates = self.closed().filter(answers_deleted_on__isnull=True, closed_on__isnull=False)
        # Month arithmetic is done in Python: it is the same on SQLite and PostgreSQL, and there
        # are only as many candidates as closed rounds.
        return [c for c in candidates.order_by("pk") if c.answers_deletion_due_on() <= today]

    def by_link_token(self, token: str) -> Campaign | None:
        return self.filter(link_token_hash=hash_token(token)).first()

    def by_short_code(self, code: str) -> Campaign | None:
        normalized = normalize_short_code(code)
        if not normalized:
            return None
        return self.filter(code_hash=hash_short_code(normalized)).first()

    def due_for_closing(self, today: date | None = None) -> CampaignQuerySet:
        return self.open().filter(closes_on__lt=today or timezone.localdate())


DEFAULT_RETENTION_MONTHS = 24
MAX_RETENTION_MONTHS = 120


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Interim(models.TextChoices):
        # The values are those of anonymity.Interim, which decides what each one publishes.
        NONE = "none", _("No interim results: the results appear when the round closes")
        ORGANISATION = (
            "organisation",
            _("Interim results for the whole organisation, updated per k new responses"),
        )

    # Settings that decide what has been published of a round: changing them after it opened
    # would let a look before the change be combined with one after it (anonymity.py).
    LOCKED_ONCE_OPEN = (
        "questionnaire",
        "threshold",
        "interim_results",
        "ask_team",
        "ask_role",
        "ask_tenure",
        "ask_contract",
    )

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="campaigns"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    threshold = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("Results are only shown for groups of at least this many respondents."),
    )
    interim_results = models.CharField(
        _("interim results"),
        max_length=20,
        choices=Interim.choices,
        default=Interim.NONE,
    )
    ask_team = models.BooleanField(_("ask for team"), default=True)
    ask_role = models.BooleanField(_("ask for role"), default=True)
    ask_tenure = models.BooleanField(_("ask for years of service"), default=False)
    ask_contract = models.BooleanField(_("ask for type of contract"), default=False)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=settings.LANGUAGES, default="nl"
    )
    expected_respondents = models.PositiveIntegerField(
        _("number of employees invited"),
        null=True,
        blank=True,
        help_text=_("Used for the response rate when no personal invitations are sent."),
    )
    # 24 months by default: one yearly round plus its follow-up can still be analysed item by
    # item (the kept summary holds dimension figures only); after that the summary suffices.
    retention_months = models.PositiveSmallIntegerField(
        _("keep individual answers for (months after closing)"),
        default=DEFAULT_RETENTION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_MONTHS)],
        help_text=_(
            "After this period the individual answers are deleted; the totals per group are "
            "kept for comparisons with later rounds."
        ),
    )
    answers_deleted_on = models.DateField(
        _("individual answers deleted on"), null=True, blank=True, editable=False
    )
    link_salt = models.CharField(max_length=32, default=new_salt, editable=False)
    link_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The short code (derived from link_salt, so it changes with the link) as a keyed hash.
    code_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=3), name="campaign_threshold_min_3"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(retention_months__gte=1), name="campaign_retention_min_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.name}"

    def save(self, *args, **kwargs) -> None:
        if not self.link_token_hash:
            self.set_link_token()
        elif not self.code_hash:
            self.code_hash = hash_short_code(self.short_code())
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assessments:campaign_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError(
                {"closes_on": _("The closing date must be on or after the opening date.")}
            )
        if self.status_moves_back():
            # A round that is open again after it closed would get late responses, and its
            # final results before and after would differ by exactly those people.
            raise ValidationError(
                {
                    "status": _(
                        "A round only moves forward: from draft to open to closed. A closed "
                        "round cannot be opened again; make a copy of it for a new round."
                    )
                }
            )
        changed = self.locked_fields_changed()
        if changed:
            raise ValidationError(
                {
                    name: _(
                        "This round has been opened, so this setting can no longer be "
                        "changed: results already shown were based on it. Make a copy of "
                        "the round to use another setting."
                    )
                    for name in changed
                }
            )

    def locked_fields_changed(self) -> list[str]:
        """The settings in LOCKED_ONCE_OPEN that differ from the stored round, once opened."""
        stored = self._stored("status", *self.LOCKED_ONCE_OPEN)
        if stored is None or stored["status"] == self.Status.DRAFT:
            return []
        return [
            name
            for name in self.LOCKED_ONCE_OPEN
            if getattr(self, self._meta.get_field(name).attname) != stored[name]
        ]

    def status_moves_back(self) -> bool:
        """Whether the status goes back (closed → open, open → draft): rounds only go forward."""
        stored = self._stored("status")
        if stored is None:
            return False
        order = list(self.Status.values)
        return order.index(self.status) < order.index(stored["status"])

    def _stored(self, *names: str) -> dict | None:
        if self.pk is None:
            return None
        columns = [self._meta.get_field(name).attname for name in names]
        row = Campaign.objects.filter(pk=self.pk).values_list(*columns).first()
        return dict(zip(names, row, strict=True)) if row is not None else None

    def link_token(self) -> str:
        return derive_token("campaign-link", self.link_salt)

    def set_link_token(self) -> str:
        """Give the round a new link and short code (the old ones stop working); returns the
        link's token."""
        while True:
            self.link_salt = new_salt()
            self.code_hash = hash_short_code(self.short_code())
            # Two rounds sharing a code is a one-in-10^11 event per pair; a new salt fixes it.
            if not Campaign.objects.filter(code_hash=self.code_hash).exclude(pk=self.pk).exists():
                break
        token = self.link_token()
        self.link_token_hash = hash_token(token)
        return token

    def short_code(self) -> str:
        return derive_short_code(self.link_salt)

    def short_code_display(self) -> str:
        code = self.short_code()
        return f"{code[:4]}-{code[4:]}"

    def survey_url(self) -> str:
        return f"{settings.SITE_URL}{reverse('assessments:survey_entry', args=[self.link_token()])}"

    def is_accepting_responses(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.opens_on <= today <= self.closes_on

    @property
    def open_answer_threshold(self) -> int:
        return self.threshold

    def segment_questions(self) -> list[str]:
        asked = [
            ("team", self.ask_team),
            ("role", self.ask_role),
            ("tenure", self.ask_tenure),
            ("contract", self.ask_contract),
        ]
        return [name for name, on in asked if on]

    @transaction.atomic
    def open(self, *, by=None) -> None:
        """Open the round and freeze its team list: later team edits apply to the next round."""
        if not self.teams.exists():
            CampaignTeam.objects.bulk_create(
                [
                    CampaignTeam(campaign=self, name=team.name, size=team.size, position=i)
                    for i, team in enumerate(self.organisation.teams.order_by("name"))
                ]
            )
        self.status = self.Status.OPEN
        self.save(update_fields=["status"])
        self.log(CampaignEvent.Kind.OPENED, by=by)

    def log(self, kind: str, *, by=None, old: object = "", new: object = "") -> CampaignEvent:
        """Add a line to the round's history (who changed what, when)."""
        return CampaignEvent.objects.create(
            campaign=self,
            kind=kind,
            actor=by if by is not None and by.is_authenticated else None,
            old_value=str(old if old is not None else "")[:200],
            new_value=str(new if new is not None else "")[:200],
        )

    def answers_deletion_due_on(self) -> date | None:
        """When the individual answers are deleted (None while the round is not closed)."""
        if self.closed_on is None:
            return None
        return add_months(self.closed_on, self.retention_months)

    @transaction.atomic
    def delete_answer_rows(self, today: date | None = None) -> dict[str, int]:
        """Delete the round's individual answers; returns what was deleted.

        Call through ``services.delete_answers``, which keeps the round's summary first.
        """
        # Answers first, in one statement each: the cascade from Response would do the same in
        # batches of responses.
        deleted = {
            "answers": Answer.objects.filter(response__campaign=self).delete()[0],
            "open_answers": OpenAnswer.objects.filter(response__campaign=self).delete()[0],
            "responses": Response.objects.filter(campaign=self).delete()[0],
        }
        deleted["drafts"] = self.drafts.all().delete()[0]
        # The management view's answers are individual answers too (and carry names).
        deleted["management_responses"] = (
            ManagementResponse.objects.filter(view__campaign=self)
            .delete()[1]
            .get(ManagementResponse._meta.label, 0)
        )
        self.sent_drafts.all().delete()
        self.answers_deleted_on = today or timezone.localdate()
        self.save(update_fields=["answers_deleted_on"])
        return deleted

    @transaction.atomic
    def mark_closed(self, *, by=None) -> None:
        """The round's own part of closing it (``services.close_round`` does the rest); ``by``
        is the person who closed it, None when its date passed."""
        self.status = self.Status.CLOSED
        self.closed_on = timezone.localdate()
        self.save(update_fields=["status", "closed_on"])
        self.log(
            CampaignEvent.Kind.CLOSED
            if by is not None
            else CampaignEvent.Kind.CLOSED_AUTOMATICALLY,
            by=by,
        )
        # Addresses are only needed while invitations and reminders can go out.
        # Queued messages are cancelled with them.
        self.invitations.update(email="", pending=Invitation.Pending.NOTHING, claim="")
        ManagementInvitation.objects.filter(view__campaign=self).update(email="", pending=False)
        self.drafts.all().delete()
        self.sent_drafts.all().delete()


class CampaignTeam(models.Model):
    """A team as it was when the round opened."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    size = models.PositiveIntegerField(_("number of employees"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("team in round")
        verbose_name_plural = _("teams in round")
        ordering = ["campaign", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="campaign_team_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignEvent(models.Model):
    """One line of a round's history: opened, closed, closing date or headcount changed.

    Only what people in the workspace did to the round; nothing about who answered.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        CLOSED = "closed", _("closed")
        CLOSED_AUTOMATICALLY = "closed_automatically", _("closed automatically")
        CLOSING_DATE = "closing_date", _("closing date changed")
        HEADCOUNT = "headcount", _("number of employees invited changed")
        TEAM_SIZES = "team_sizes", _("team sizes changed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    # SET_NULL: deleting an account keeps the round's history, without the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("round history entry")
        verbose_name_plural = _("round history")
        ordering = ["campaign", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def actor_name(self) -> str:
        user = self.actor
        if user is None:
            return ""
        return user.get_full_name() or user.email or user.get_username()

    def _value(self, raw: str) -> object:
        # Closing dates are kept as ISO dates so that the page can show them in its language.
        if self.kind == self.Kind.CLOSING_DATE and raw:
            return date.fromisoformat(raw)
        return raw

    @property
    def old(self) -> object:
        return self._value(self.old_value)

    @property
    def new(self) -> object:
        return self._value(self.new_value)


def reminder_after_days() -> int:
    return max(getattr(settings, "REMINDER_AFTER_DAYS", 3), 0)


class InvitationQuerySet(models.QuerySet):
    def not_answered(self) -> InvitationQuerySet:
        """Invitations a reminder may go to: sent, still unused, address not yet deleted."""
        return self.filter(is_used=False, sent_on__isnull=False).exclude(email="")

    def due_for_reminder(self, today: date | None = None) -> InvitationQuerySet:
        """Not answered, and the last e-mail to the address is REMINDER_AFTER_DAYS old.

        Each address waits for its own last message, so a list extended yesterday does not
        remind yesterday's newcomers, and nobody gets two e-mails in a row.
        """
        cutoff = (today or timezone.localdate()) - timedelta(days=reminder_after_days())
        return self.not_answered().filter(
            Q(reminded_on__isnull=True, sent_on__lte=cutoff) | Q(reminded_on__lte=cutoff)
        )

    def next_reminder_on(self) -> date | None:
        """The first day a reminder can go to an address not answered yet (None: nobody)."""
        last = (
            self.not_answered()
            .annotate(last=Coalesce("reminded_on", "sent_on"))
            .aggregate(first=models.Min("last"))["first"]
        )
        return None if last is None else last + timedelta(days=reminder_after_days())


class Invitation(models.Model):
    """A personal, one-time link. It records only whether it was used, never which response."""

    class Pending(models.TextChoices):
        NOTHING = "", _("nothing")
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"), blank=True)
    salt = models.CharField(max_length=32, default=new_salt, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_used = models.BooleanField(default=False)
    sent_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    # The outbox: requests only queue a message here; `send_invitations` (cron) delivers it, so
    # sending hundreds of e-mails never runs inside a web request.
    pending = models.CharField(
        max_length=20, choices=Pending.choices, default=Pending.NOTHING, blank=True, db_index=True
    )
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    send_failures = models.PositiveSmallIntegerField(default=0)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if not self.token_hash:
            self.set_token()
        super().save(*args, **kwargs)

    def token(self) -> str:
        return derive_token("invitation", self.salt)

    def set_token(self) -> str:
        token = self.token()
        self.token_hash = hash_token(token)
        return token


# --- Answers ----------------------------------------------------------------------------


class ResponseQuerySet(models.QuerySet):
    def for_campaign(self, campaign: Campaign) -> ResponseQuerySet:
        return self.filter(campaign=campaign)

    def rebuild_stored_scores(self, *, stale_only: bool = True, batch: int = 2000) -> int:
        """Recompute the responses' stored answers and dimension sums from their answers.

        They are derived data (Response.set_stored_scores); rows stored before they existed,
        or under an older scoring version, are rebuilt here. Returns how many were rebuilt.
        """
        rows = self.exclude(scores_version=scoring.STORED_VERSION) if stale_only else self
        rebuilt = 0
        for campaign_id in rows.order_by().values_list("campaign_id", flat=True).distinct():
            questionnaire = Campaign.objects.get(pk=campaign_id).questionnaire
            items = questionnaire.ordered_items()
            specs = [item.spec() for item in items]
            code_of = {item.pk: item.code for item in items}
            ids = list(rows.filter(campaign_id=campaign_id).values_list("pk", flat=True))
            for start in range(0, len(ids), batch):
                chunk = ids[start : start + batch]
                answers: dict = {pk: {} for pk in chunk}
                for response_id, item_id, value in Answer.objects.filter(
                    response_id__in=chunk
                ).values_list("response_id", "item_id", "value"):
                    answers[response_id][code_of[item_id]] = value
                updated = []
                for pk in chunk:
                    response = Response(pk=pk)
                    response.set_stored_scores(answers[pk], specs)
                    updated.append(response)
                with transaction.atomic():
                    Response.objects.bulk_update(
                        updated, ["packed_answers", "dimension_sums", "scores_version"]
                    )
                rebuilt += len(chunk)
        return rebuilt

    def next_sequence(self, campaign: Campaign) -> int:
        """The submission number the round's next response gets (1 for the first).

        Call inside the transaction that stores the response: the round's row is locked, so
        concurrent submissions to one round take their numbers one after the other (on
        SQLite the write transaction already serialises them).

        The lock and the read are two statements on purpose. In one statement (a subquery
        beside SELECT … FOR UPDATE) PostgreSQL computes the subquery from the snapshot taken
        before it waited for the lock, so two sends that queued on the same round got the
        same number; the second statement sees what the first send committed.
        """
        connection = connections[self.db]
        if not connection.in_atomic_block:
            raise TransactionManagementError("next_sequence() must run inside a transaction")
        quote = connection.ops.quote_name
        campaigns, responses = quote(Campaign._meta.db_table), quote(Response._meta.db_table)
        # Plain SQL: this runs in every send, and compiling the two ORM queries cost more than
        # running them.
        with connection.cursor() as cursor:
            if connection.features.has_select_for_update:
                cursor.execute(
                    f"SELECT {quote('id')} FROM {campaigns} WHERE {quote('id')} = %s FOR UPDATE",  # noqa: S608
                    [campaign.pk],
                )
            cursor.execute(
                f"SELECT MAX({quote('sequence')}) FROM {responses} "  # noqa: S608
                f"WHERE {quote('campaign_id')} = %s",
                [campaign.pk],
            )
            (last,) = cursor.fetchone()
        return (last or 0) + 1


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    # The order of submission within the round (1, 2, …). An open round's results are published
    # in steps over the first responses in this order (anonymity.py), so no two looks differ by
    # fewer than k people. It is never shown, exported or logged. There is no date or time:
    # next to the order, even a date would say whose answers these are.
    sequence = models.PositiveIntegerField(editable=False)
    team = models.ForeignKey(
        CampaignTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    tenure = models.CharField(
        _("years of service"), max_length=10, choices=Tenure.choices, blank=True
    )
    contract = models.CharField(_("contract"), max_length=20, choices=Contract.choices, blank=True)
    # Derived from the answers when the response is stored (scoring.stored_scores), so a
    # round's results read one row per respondent: the answers in item order and the sum and
    # count of the scored answers per dimension. scores_version 0 = not stored yet;
    # `manage.py rebuild_scores` recomputes them. They go with the answers at retention.
    packed_answers = models.CharField(max_length=255, blank=True, default="", editable=False)
    dimension_sums = models.CharField(max_length=255, blank=True, default="", editable=False)
    scores_version = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sequence"], name="response_sequence"),
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"

    def set_stored_scores(
        self, answers: scoring.Answers, specs: list[scoring.ItemSpec] | tuple
    ) -> None:
        """Fill the derived fields from the answers (``specs`` in questionnaire order)."""
        stored = scoring.stored_scores(answers, specs)
        self.packed_answers = stored.packed
        self.dimension_sums = stored.sums_text()
        self.scores_version = scoring.STORED_VERSION


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    # 1–5 on the agreement scale; NULL is "weet ik niet / n.v.t." (missing in scoring).
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_one_per_item"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5),
                name="answer_value_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value}"


class OpenAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="open_answers")
    question = models.ForeignKey(OpenQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("answer"), max_length=2000)

    class Meta:
        verbose_name = _("open answer")
        verbose_name_plural = _("open answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="open_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"open answer {self.pk}"


class SurveyDraft(models.Model):
    """Answers in progress, kept on the server so an employee can pause and resume.

    Found by the browser session or by a resume code (stored hashed). It links to the
    invitation only while in progress so that a personal link stays one-time; it is deleted
    in the same transaction that stores the Response.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="drafts")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="draft"
    )
    resume_code_hash = models.CharField(max_length=64, unique=True)
    data = models.JSONField(default=dict)
    updated_on = models.DateField(auto_now=True)

    class Meta:
        verbose_name = _("answers in progress")
        verbose_name_plural = _("answers in progress")

    def __str__(self) -> str:
        return f"draft {self.pk}"


class SentDraft(models.Model):
    """That a draft was sent, so that another device holding it, or its resume code, can say so
    instead of showing a code that no longer works.

    Only the draft's own id and its code's hash: no invitation, no response, no date or order
    (the primary key is the draft's random UUID). Deleted when the round closes.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sent_drafts")
    resume_code_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("sent answers")
        verbose_name_plural = _("sent answers")

    def __str__(self) -> str:
        return f"sent draft {self.pk}"


class CampaignSummary(models.Model):
    """Threshold-safe dimension figures of a closed round, kept after raw answers are deleted.

    Feeds the comparison with the previous round and the benchmark of other organisations
    without re-reading every answer of every round.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="summary")
    respondents = models.PositiveIntegerField()
    # {"dimensions": {"D1": {"n": 41, "mean": 3.61, "sd": 0.72}, ...}, "overall": 3.5}
    data = models.JSONField(default=dict)
    computed_on = models.DateField(auto_now=True)

    class Meta:
        verbose_name = _("round summary")
        verbose_name_plural = _("round summaries")

    def __str__(self) -> str:
        return f"summary of {self.campaign_id}"


# --- White-label branding ---------------------------------------------------------------


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4000 * 4000


def logo_type(head: bytes) -> str | None:
    """ "png" or "jpeg" from the file's first bytes; the name and the browser's type are ignored."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def validate_logo(upload) -> None:
    """A logo is a real PNG or JPEG of at most 1 MB and a sane pixel size.

    Checked on content, not on the file name: the PDF renderer embeds these bytes, so an SVG
    (which can reference URLs) or a decompression bomb must never get through.
    """
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 1 MB."), code="logo_too_large")
    upload.seek(0)
    kind = logo_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ValidationError(_("The logo must be a PNG or JPEG image."), code="logo_type")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("The logo could not be read as an image."), code="logo_unreadable"
        ) from None
    finally:
        upload.seek(0)
    if width * height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("The logo may be at most 4000 × 4000 pixels."), code="logo_too_many_pixels"
        )


def logo_path(instance: ConsultantProfile, filename: str) -> str:
    # Never keep the uploaded name: it is user input and says nothing useful.
    return f"logos/{instance.user_id}-{secrets.token_hex(8)}"


class ConsultantProfile(models.Model):
    """How a consultant appears on the cover of the reports of the organisations they serve."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant_profile"
    )
    display_name = models.CharField(_("name on reports"), max_length=100)
    organisation_name = models.CharField(_("consultancy"), max_length=100, blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to=logo_path,
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 1 MB. Shown on the cover of the PDF report."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultant profile")
        verbose_name_plural = _("consultant profiles")

    def __str__(self) -> str:
        return self.display_name

    def logo_bytes(self) -> tuple[str, bytes] | None:
        """(mime type, bytes) of the stored logo, re-checked, or None."""
        if not self.logo:
            return None
        try:
            with self.logo.open("rb") as handle:
                data = handle.read(LOGO_MAX_BYTES + 1)
        except OSError:
            return None
        kind = logo_type(data[:16])
        if kind is None or len(data) > LOGO_MAX_BYTES:
            return None
        return f"image/{kind}", data

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> ConsultantProfile | None:
        """The profile of the organisation's consultant (the first, if it has several)."""
        return (
            cls.objects.filter(
                user__memberships__organisation=organisation,
                user__memberships__role=Membership.Role.CONSULTANT,
            )
            .order_by("user__memberships__pk")
            .first()
        )


# --- Rendered reports -------------------------------------------------------------------


class StoredReport(models.Model):
    """A round's PDF report in one language, rendered ahead of the download.

    ``state`` is the report key of the round when it was rendered (reports.report_cache_key:
    the round's results state, status, settings, names, branding, language); the download
    serves the PDF only while the round's current key is the same. One row per round and
    language, replaced by the next render. Nothing records when it was made.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stored_reports")
    language = models.CharField(max_length=2)
    state = models.CharField(max_length=64)
    pdf = models.BinaryField()

    class Meta:
        verbose_name = _("stored report")
        verbose_name_plural = _("stored reports")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language"], name="stored_report_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"report of {self.campaign_id} ({self.language})"


# --- From measurement to improvement (issue 12) -----------------------------------------
#
# The management team's own view of a round and the action plan that follows it. Neither is
# anonymous and neither ever enters the employees' results: the results (results/) read
# Response and Answer only, so these rows cannot reach a published figure of employees.


class ManagementView(models.Model):
    """A round's separate link for the management team (instrument.md §4 rule 4, the
    "zelfbeeld directie"): they answer the same statements as they see the organisation.

    The link is derived like the round link (``derive_token``) and stored only as a hash.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="management_view"
    )
    salt = models.CharField(max_length=32, default=new_salt, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("management view")
        verbose_name_plural = _("management views")

    def __str__(self) -> str:
        return f"management view of {self.campaign_id}"

    def save(self, *args, **kwargs) -> None:
        if not self.token_hash:
            self.token_hash = hash_token(self.token())
        super().save(*args, **kwargs)

    def token(self) -> str:
        return derive_token("management-link", self.salt)

    def heal_token(self) -> None:
        """Store the hash of the link as SECRET_KEY derives it now: after a key rotation the
        old link no longer works either way, and the page that shows the link shows this one."""
        token_hash = hash_token(self.token())
        if token_hash != self.token_hash:
            self.token_hash = token_hash
            self.save(update_fields=["token_hash"])

    def url(self) -> str:
        path = reverse("assessments:management_entry", args=[self.token()])
        return f"{settings.SITE_URL}{path}"

    def is_accepting_answers(self, today: date | None = None) -> bool:
        """Open as long as the round is: the two views describe the same moment."""
        today = today or timezone.localdate()
        return self.campaign.status == Campaign.Status.OPEN and today <= self.campaign.closes_on


class ManagementRole(models.TextChoices):
    DIRECTOR = "director", _("Director or owner")
    TEAM_LEADER = "team_leader", _("Team leader or manager")
    OTHER = "other", _("Other member of the management team")


class ManagementResponseQuerySet(models.QuerySet):
    def submitted(self) -> ManagementResponseQuerySet:
        return self.filter(submitted_at__isnull=False)

    def for_campaign(self, campaign: Campaign) -> ManagementResponseQuerySet:
        return self.filter(view__campaign=campaign)


class ManagementResponse(models.Model):
    """One member of the management team: named, because the management view is not anonymous
    within the management team; a view of one person is shown as that person's view."""

    view = models.ForeignKey(ManagementView, on_delete=models.CASCADE, related_name="responses")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=ManagementRole.choices)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = ManagementResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("management response")
        verbose_name_plural = _("management responses")
        ordering = ["view", "started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class ManagementAnswer(models.Model):
    response = models.ForeignKey(
        ManagementResponse, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="management_answers")
    # As Answer: 1–5, NULL is "weet ik niet / n.v.t.".
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("management answer")
        verbose_name_plural = _("management answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item"], name="management_answer_one_per_item"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5),
                name="management_answer_value_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value}"


class ManagementEstimate(models.Model):
    """How a member of the management team expects the employees to score a dimension."""

    response = models.ForeignKey(
        ManagementResponse, on_delete=models.CASCADE, related_name="estimates"
    )
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("estimate"), max_digits=2, decimal_places=1)

    class Meta:
        verbose_name = _("estimate of the employees' score")
        verbose_name_plural = _("estimates of the employees' scores")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "dimension"], name="management_estimate_one_per_dimension"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5), name="management_estimate_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}≈{self.value}"


class ManagementInvitation(models.Model):
    """A personal e-mail with the management link. The address is deleted when the round
    closes, as the employees' invitation addresses are."""

    view = models.ForeignKey(ManagementView, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"), blank=True)
    pending = models.BooleanField(default=True, db_index=True)
    sent_on = models.DateField(null=True, blank=True)
    send_failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("management invitation")
        verbose_name_plural = _("management invitations")

    def __str__(self) -> str:
        return f"management invitation {self.pk}"


class Intervention(models.Model):
    """One intervention of the library HR picks actions from (fixtures/interventions.json,
    sourced in docs/interventions.md).

    Keyed by dimension code and indicator position rather than by a questionnaire's rows, so
    the library serves every version of the questionnaire.
    """

    code = models.CharField(_("code"), max_length=12, unique=True)
    dimension_code = models.CharField(_("dimension"), max_length=10, db_index=True)
    indicator_position = models.PositiveSmallIntegerField(
        _("indicator (position in the dimension)"), null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_nl = models.TextField(_("what to do (Dutch)"))
    body_en = models.TextField(_("what to do (English)"))
    time_nl = models.CharField(_("time it takes (Dutch)"), max_length=200)
    time_en = models.CharField(_("time it takes (English)"), max_length=200)
    money_nl = models.CharField(_("money it takes (Dutch)"), max_length=200)
    money_en = models.CharField(_("money it takes (English)"), max_length=200)
    who_nl = models.CharField(_("who is needed (Dutch)"), max_length=200)
    who_en = models.CharField(_("who is needed (English)"), max_length=200)
    funding_nl = models.CharField(_("funding routes (Dutch)"), max_length=300, blank=True)
    funding_en = models.CharField(_("funding routes (English)"), max_length=300, blank=True)
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["dimension_code", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.title_nl}"

    title = Localized()

    body = Localized()

    time = Localized()

    money = Localized()

    who = Localized()

    funding = Localized()


class DialogueQuestion(models.Model):
    """An open question for the team conversation about a dimension (the dialogue kit)."""

    dimension_code = models.CharField(_("dimension"), max_length=10, db_index=True)
    position = models.PositiveSmallIntegerField(_("position"))
    text_nl = models.TextField(_("question (Dutch)"))
    text_en = models.TextField(_("question (English)"))

    class Meta:
        verbose_name = _("dialogue question")
        verbose_name_plural = _("dialogue questions")
        ordering = ["dimension_code", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension_code", "position"], name="dialogue_question_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_code}.{self.position} {self.text_nl[:60]}"

    text = Localized()


MAX_FOCUS_DIMENSIONS = 3


class ActionPlan(models.Model):
    """What the organisation will do after a closed round: one to three focus dimensions."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="action_plan")
    focus = models.ManyToManyField(
        Dimension, related_name="+", verbose_name=_("focus dimensions"), blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return f"action plan of {self.campaign_id}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:plan", args=[self.campaign_id])

    def focus_dimensions(self) -> list[Dimension]:
        return sorted(self.focus.all(), key=lambda d: d.position)

    def touch(self) -> None:
        """Mark the plan changed (the PDF report's key includes this time)."""
        self.save(update_fields=["updated_at"])


class PlanAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        STOPPED = "stopped", _("stopped")

    # Statuses of an action that still has to happen: only these are due.
    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="+", verbose_name=_("dimension")
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from the library"),
    )
    title = models.CharField(_("action"), max_length=200)
    owner = models.CharField(_("owner"), max_length=100)
    starts_on = models.DateField(_("start"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # The due date HR was e-mailed about: one message per due date, never a second one.
    due_notice_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="plan_action_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < (today or timezone.localdate())

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import models


class LockedContentAdmin(admin.ModelAdmin):
    """Content that already has answers is shown read-only: edits would change their meaning."""

    def _questionnaire(self, obj):
        return obj.questionnaire_for_lock() if obj else None

    def has_change_permission(self, request, obj=None):
        questionnaire = self._questionnaire(obj)
        if questionnaire is not None and questionnaire.has_answers():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        questionnaire = self._questionnaire(obj)
        if questionnaire is not None and questionnaire.has_answers():
            return False
        return super().has_delete_permission(request, obj)


class DimensionInline(admin.TabularInline):
    model = models.Dimension
    fields = ["code", "position", "name_nl", "name_en"]
    extra = 0
    show_change_link = True


class OpenQuestionInline(admin.StackedInline):
    model = models.OpenQuestion
    extra = 0


@admin.register(models.Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name_nl", "code", "version", "is_published"]
    list_filter = ["is_published"]
    inlines = [DimensionInline, OpenQuestionInline]
    actions = ["make_new_version"]

    def get_inlines(self, request, obj):
        if obj is not None and obj.has_answers():
            return []
        return super().get_inlines(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.has_answers():
            return ["code", "version", "name_nl", "name_en", "instruction_nl", "instruction_en"]
        return []

    @admin.action(description=_("Make a new (editable) version"))
    def make_new_version(self, request, queryset):
        for questionnaire in queryset:
            copy = questionnaire.new_version()
            self.message_user(
                request,
                _("Made %(name)s; it is not published yet.") % {"name": copy},
                messages.SUCCESS,
            )


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    extra = 0


class ItemInline(admin.TabularInline):
    model = models.Item
    fields = [
        "code",
        "position",
        "indicator",
        "text_nl",
        "is_reversed",
        "allows_not_applicable",
        "in_quick_scan",
    ]
    extra = 0


class RecommendationInline(admin.StackedInline):
    model = models.Recommendation
    extra = 0


@admin.register(models.Dimension)
class DimensionAdmin(LockedContentAdmin):
    list_display = ["code", "name_nl", "questionnaire"]
    list_filter = ["questionnaire"]
    inlines = [IndicatorInline, ItemInline, RecommendationInline]


@admin.register(models.Item)
class ItemAdmin(LockedContentAdmin):
    list_display = ["code", "text_nl", "is_reversed", "allows_not_applicable", "in_quick_scan"]
    list_filter = ["dimension__questionnaire", "dimension", "is_reversed", "in_quick_scan"]
    search_fields = ["code", "text_nl", "text_en"]


@admin.register(models.Indicator)
class IndicatorAdmin(LockedContentAdmin):
    list_display = ["name_nl", "dimension"]
    list_filter = ["dimension__questionnaire"]


@admin.register(models.Recommendation)
class RecommendationAdmin(LockedContentAdmin):
    list_display = ["title_nl", "dimension"]


@admin.register(models.OpenQuestion)
class OpenQuestionAdmin(LockedContentAdmin):
    list_display = ["code", "text_nl", "questionnaire"]


class TeamInline(admin.TabularInline):
    model = models.Team
    extra = 0


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "size_band"]
    search_fields = ["name"]
    inlines = [TeamInline, MembershipInline]


class CampaignEventInline(admin.TabularInline):
    # The round's history is a record of what happened: shown, never edited.
    model = models.CampaignEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "old_value", "new_value"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    # Answers are deliberately not browsable in admin: individual responses stay out of sight.
    list_display = ["name", "organisation", "status", "opens_on", "closes_on", "threshold"]
    list_filter = ["status"]
    readonly_fields = ["link_token_hash"]
    inlines = [CampaignEventInline]

    def get_readonly_fields(self, request, obj=None):
        # What was published of an opened round depends on these (Campaign.clean says why),
        # and its status moves forward only through the app (opening, closing, with history).
        # The stored status decides: the admin asks again with the edited, unsaved object.
        if obj is None:
            return self.readonly_fields
        stored = models.Campaign.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        if stored is None:
            return self.readonly_fields
        if stored == models.Campaign.Status.DRAFT:
            return [*self.readonly_fields, "status"]
        return [*self.readonly_fields, "status", *models.Campaign.LOCKED_ONCE_OPEN]


@admin.register(models.ConsultantProfile)
class ConsultantProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "organisation_name", "user"]
    search_fields = ["display_name", "organisation_name", "user__username"]
    autocomplete_fields = ["user"]

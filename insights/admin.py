"""Head office's admin for insights: rule configurations and the score policy are edited here
(through the services, which version every change; a save over a colleague's is refused with
what changed, crm.admin.VersionCheckedAdmin); alerts, runs, versions and snapshots
are read-only records."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.admin import EstimatedCountPaginator, VersionCheckedAdmin
from insights.models import (
    Alert,
    AlertRule,
    AlertRuleVersion,
    AlertRun,
    ScorePolicy,
    ScorePolicyVersion,
    ScoreSnapshot,
)
from insights.presenters import alert_evidence_words
from insights.services import alert_rule_update, check_params, check_weights, score_policy_update


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AlertRuleVersionInline(admin.TabularInline):
    model = AlertRuleVersion
    fields = [
        "version",
        "enabled",
        "severity",
        "params",
        "ack_working_days",
        "expire_after_days",
        "created_at",
        "created_by",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["enabled", "severity", "params", "ack_working_days", "expire_after_days"]

    def clean_params(self):
        params = self.cleaned_data["params"]
        try:
            check_params(self.instance.code, params)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["params"]) from None
        return params


class ScorePolicyForm(forms.ModelForm):
    class Meta:
        model = ScorePolicy
        fields = ["weights", "min_samples", "mappings", "period_days"]

    def clean_weights(self):
        weights = self.cleaned_data["weights"]
        try:
            check_weights(weights)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["weights"]) from None
        return weights


@admin.register(AlertRule)
class AlertRuleAdmin(VersionCheckedAdmin):
    form = AlertRuleForm
    list_display = ["code", "name", "enabled", "severity", "version", "updated_at", "updated_by"]
    list_filter = ["enabled", "severity"]
    fields = [
        "code",
        "name",
        "description",
        "enabled",
        "severity",
        "params",
        "ack_working_days",
        "expire_after_days",
        "version",
        "updated_at",
        "updated_by",
    ]
    readonly_fields = ["code", "name", "description", "version", "updated_at", "updated_by"]
    inlines = [AlertRuleVersionInline]

    def has_add_permission(self, request):
        return False  # the rules are code; their settings come with them

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            alert_rule_update(actor=request.user, rule=obj, fields=fields)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "rule", "customer", "assignee", "severity", "status"]
    list_filter = ["status", "severity", "rule", "created_at"]
    list_select_related = ["rule", "customer", "assignee"]
    search_fields = ["=customer__customer_number"]
    search_help_text = _("Exact customer number (CIF).")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ["-created_at"]
    readonly_fields = ["evidence_in_words"]

    @admin.display(description=_("evidence"))
    def evidence_in_words(self, obj):
        return " ".join(alert_evidence_words(obj.rule.code, obj.evidence))

    def get_fields(self, request, obj=None):
        return ["evidence_in_words", *[f.name for f in Alert._meta.fields]]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(AlertRun)
class AlertRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "kind", "as_of", "status", "total", "finished_at"]
    list_filter = ["status", "kind"]
    ordering = ["-started_at"]
    readonly_fields = [f.name for f in AlertRun._meta.fields]


@admin.register(ScorePolicy)
class ScorePolicyAdmin(VersionCheckedAdmin):
    form = ScorePolicyForm
    list_display = ["__str__", "version", "updated_at", "updated_by"]
    fields = ["weights", "min_samples", "mappings", "period_days", "version", "updated_at"]
    readonly_fields = ["version", "updated_at"]

    def has_add_permission(self, request):
        return False  # one policy, installed by a migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            score_policy_update(actor=request.user, fields=fields)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)


@admin.register(ScorePolicyVersion)
class ScorePolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "created_at", "created_by"]
    readonly_fields = [f.name for f in ScorePolicyVersion._meta.fields]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["period_end", "staff", "branch", "composite", "policy_version"]
    list_filter = ["period_end", "branch"]
    list_select_related = ["staff", "branch"]
    search_fields = ["=staff__username"]
    ordering = ["-period_end", "branch", "-composite"]
    readonly_fields = [f.name for f in ScoreSnapshot._meta.fields]

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import Branch, Staff
from accounts.privileges import grant_refusal, grantable_groups, grantable_permissions, outranks
from crm.admin import VersionCheckedAdmin, VersionCheckedInline

User = get_user_model()


@admin.register(Branch)
class BranchAdmin(VersionCheckedAdmin):
    list_display = ["code", "name", "city"]
    search_fields = ["code", "name", "city"]
    list_filter = ["city"]


@admin.register(Staff)
class StaffAdmin(VersionCheckedAdmin):
    list_display = ["employee_number", "user", "role", "branch", "is_active"]
    list_filter = ["role", "is_active", "branch"]
    list_select_related = ["user", "branch"]
    search_fields = ["employee_number", "user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "branch"]

    def has_change_permission(self, request, obj=None):
        # The profile of someone with more rights is theirs, not the editor's, to keep.
        if obj is not None and outranks(obj.user, request.user):
            return False
        return super().has_change_permission(request, obj)


class StaffInline(VersionCheckedInline, admin.StackedInline):
    model = Staff
    can_delete = False
    autocomplete_fields = ["branch"]
    fk_name = "user"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(VersionCheckedAdmin, UserAdmin):
    inlines = [StaffInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "staff_role",
        "staff_branch",
        "is_active",
        "last_login",
    ]
    list_select_related = ["staff", "staff__branch"]
    list_filter = ["staff__role", "is_active", "is_staff", "staff__branch"]

    # Head office manages staff without ever granting more than it has (accounts.privileges):
    # the superuser flag is read-only for non-superusers, users with more rights than the
    # editor are read-only (their password form answers 403), and only the editor's own
    # groups and permissions can be handed out.
    def get_readonly_fields(self, request, obj=None):
        # Stamped by logins and sign-up, never typed (and a login while the form is open is
        # no edit conflict).
        fields = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and outranks(obj, request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and outranks(obj, request.user):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = grantable_groups(request.user)
        elif db_field.name == "user_permissions":
            kwargs["queryset"] = grantable_permissions(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user
        was_superuser = bool(obj and obj.is_superuser)

        class GuardedForm(form):
            def clean(self):
                cleaned = super().clean()
                refusal = grant_refusal(
                    actor=actor,
                    is_superuser=cleaned.get("is_superuser"),
                    was_superuser=was_superuser,
                    groups=cleaned.get("groups") or (),
                    permissions=cleaned.get("user_permissions") or (),
                )
                if refusal:
                    raise forms.ValidationError(refusal)
                return cleaned

        return GuardedForm

    @admin.display(description="role", ordering="staff__role")
    def staff_role(self, user):
        staff = getattr(user, "staff", None)
        return staff.get_role_display() if staff else "—"

    @admin.display(description="branch", ordering="staff__branch__code")
    def staff_branch(self, user):
        staff = getattr(user, "staff", None)
        return staff.branch if staff and staff.branch else "—"

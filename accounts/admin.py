from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import Branch, Staff

User = get_user_model()


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city"]
    search_fields = ["code", "name", "city"]
    list_filter = ["city"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["employee_number", "user", "role", "branch", "is_active"]
    list_filter = ["role", "is_active", "branch"]
    list_select_related = ["user", "branch"]
    search_fields = ["employee_number", "user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "branch"]


class StaffInline(admin.StackedInline):
    model = Staff
    can_delete = False
    autocomplete_fields = ["branch"]
    fk_name = "user"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
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

    @admin.display(description="role", ordering="staff__role")
    def staff_role(self, user):
        staff = getattr(user, "staff", None)
        return staff.get_role_display() if staff else "—"

    @admin.display(description="branch", ordering="staff__branch__code")
    def staff_branch(self, user):
        staff = getattr(user, "staff", None)
        return staff.branch if staff and staff.branch else "—"

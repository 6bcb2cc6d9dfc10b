from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "customer_number",
        "name",
        "segment",
        "status",
        "branch",
        "relationship_manager",
        "risk_class",
    ]
    list_filter = ["segment", "status", "risk_class", "branch"]
    list_select_related = ["branch", "relationship_manager"]
    search_fields = ["=customer_number", "name", "=phone"]
    autocomplete_fields = ["branch", "relationship_manager"]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted

    def has_delete_permission(self, request, obj=None):
        return False  # customers are archived, never deleted

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from crm import views

urlpatterns = [
    path("", include("dashboards.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("customers.urls")),
    path("", include("products.urls")),
    path("", include("interactions.urls")),
    path("", include("feedback.urls")),
    path("", include("insights.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler400 = "crm.errors.bad_request"
handler403 = "crm.errors.permission_denied"
handler404 = "crm.errors.page_not_found"
handler500 = "crm.errors.server_error"

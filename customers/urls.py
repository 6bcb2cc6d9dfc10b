from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.customer_export, name="export"),
    path("new/", views.customer_create, name="create"),
    path("reassign/", views.customer_reassign, name="reassign"),
    path("import/", views.customer_import, name="import"),
    path("import/commit/", views.customer_import_commit, name="import_commit"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export/", views.access_log_export, name="access_log_export"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/archive/", views.customer_archive, name="archive"),
    path("<int:pk>/restore/", views.customer_restore, name="restore"),
    path("<int:pk>/panels/<slug:key>/", views.customer_panel, name="panel"),
    path("<int:pk>/reveal-id/", views.customer_reveal_id, name="reveal_id"),
    path("<int:pk>/reveal-phone/", views.customer_reveal_phone, name="reveal_phone"),
    path("<int:pk>/needs/", views.need_record, name="need_record"),
    path("<int:pk>/life-events/", views.life_event_record, name="life_event_record"),
    path("<int:pk>/household/", views.household_link, name="household_link"),
    path(
        "<int:pk>/household/<int:related_pk>/unlink/",
        views.household_unlink,
        name="household_unlink",
    ),
]

from django.urls import path

from interactions import views

app_name = "interactions"

urlpatterns = [
    path(
        "customers/<int:customer_id>/interactions/new/",
        views.interaction_create,
        name="create",
    ),
    path("customers/<int:customer_id>/tasks/new/", views.task_create, name="task_create"),
    path("interactions/<int:pk>/", views.interaction_detail, name="detail"),
    path("interactions/<int:pk>/edit/", views.interaction_edit, name="edit"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/team/", views.team_tasks, name="team_tasks"),
    path("tasks/team/<int:user_id>/", views.team_member_tasks, name="team_member_tasks"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/reschedule/", views.task_reschedule, name="task_reschedule"),
    path("to-contact/", views.to_contact, name="to_contact"),
]

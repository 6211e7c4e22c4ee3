from django.urls import path

from harmonia.staff import views

app_name = "staff"

urlpatterns = [
    path("centres/<int:centre_pk>/staff/", views.staff_list, name="staff_list"),
    path("centres/<int:centre_pk>/staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/checks/<slug:kind>/new/", views.check_create, name="check_create"),
    path("checks/<int:pk>/edit/", views.check_edit, name="check_edit"),
    path("checks/<int:pk>/remove/", views.check_delete, name="check_delete"),
    path("me/safeguarding/", views.my_record, name="my_record"),
    path("centres/<int:centre_pk>/central-record/", views.central_record, name="central_record"),
    path(
        "centres/<int:centre_pk>/central-record.<str:fmt>",
        views.central_record_export,
        name="central_record_export",
    ),
    path(
        "programmes/<int:pk>/central-record/",
        views.programme_central_record,
        name="programme_central_record",
    ),
    path(
        "programmes/<int:pk>/central-record.<str:fmt>",
        views.programme_central_record_export,
        name="programme_central_record_export",
    ),
    path("centres/<int:centre_pk>/concerns/", views.concern_log, name="concern_log"),
    path("centres/<int:centre_pk>/concerns/new/", views.concern_create, name="concern_create"),
    path(
        "centres/<int:centre_pk>/concerns/access-log/",
        views.concern_access_log,
        name="concern_access_log",
    ),
    path("concerns/raise/", views.raise_concern, name="raise_concern"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/add/", views.concern_entry_create, name="concern_entry_create"),
    path(
        "concerns/files/<int:pk>/<str:name>",
        views.concern_attachment,
        name="concern_attachment",
    ),
    path("me/concerns/", views.my_concerns, name="my_concerns"),
    path("me/concerns/<int:pk>/", views.my_concern, name="my_concern"),
    path("me/concerns/<int:pk>/add/", views.my_concern_add, name="my_concern_add"),
]

from django.urls import path

from harmonia.programmes import views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/structure/", views.programme_structure, name="programme_structure"),
    path(
        "programmes/<int:programme_pk>/structure/<slug:kind>/new/",
        views.structure_create,
        name="structure_create",
    ),
    path("structure/<slug:kind>/<int:pk>/edit/", views.structure_edit, name="structure_edit"),
    path("programmes/<int:programme_pk>/centres/new/", views.centre_create, name="centre_create"),
    path("programmes/<int:programme_pk>/grants/new/", views.grant_create, name="grant_create"),
    path("programmes/<int:programme_pk>/people/", views.people, name="people"),
    path(
        "programmes/<int:programme_pk>/role-requests/<int:pk>/",
        views.role_request,
        name="role_request",
    ),
    path(
        "programmes/<int:programme_pk>/people/<int:pk>/remove/",
        views.membership_delete,
        name="membership_delete",
    ),
    path("programmes/<int:programme_pk>/changes/", views.audit_log, name="audit_log"),
    path("centres/<int:pk>/", views.centre_detail, name="centre_detail"),
    path("centres/<int:pk>/edit/", views.centre_edit, name="centre_edit"),
    path("centres/<int:centre_pk>/schools/new/", views.school_create, name="school_create"),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("schools/<int:pk>/remove/", views.school_delete, name="school_delete"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/edit/", views.grant_edit, name="grant_edit"),
]

from django.urls import path

from harmonia.children import views

app_name = "children"

urlpatterns = [
    path("centres/<int:centre_pk>/children/", views.child_list, name="child_list"),
    path("centres/<int:centre_pk>/children/enrol/", views.enrol, name="enrol"),
    path(
        "centres/<int:centre_pk>/children/export.csv",
        views.child_list_export,
        name="child_list_export",
    ),
    path("centres/<int:centre_pk>/waiting-list/", views.waiting_list, name="waiting_list"),
    path("centres/<int:centre_pk>/consents/", views.consent_campaign, name="consent_campaign"),
    path("centres/<int:centre_pk>/imports/", views.import_upload, name="import_upload"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/edit/", views.child_edit, name="child_edit"),
    path("children/<int:pk>/status/", views.status_change, name="status_change"),
    path("children/<int:pk>/guardians/add/", views.guardian_add, name="guardian_add"),
    path(
        "children/<int:pk>/guardians/<int:link_pk>/edit/",
        views.guardian_edit,
        name="guardian_edit",
    ),
    path("children/<int:pk>/consents/record/", views.consent_record, name="consent_record"),
    path("children/<int:pk>/equity/", views.sensitive_edit, name="sensitive_edit"),
    path("children/<int:pk>/safety/", views.safety_edit, name="safety_edit"),
    path("children/<int:pk>/offer/", views.offer_place, name="offer_place"),
    path("children/<int:pk>/subject-access/", views.subject_access_html, name="subject_access"),
    path(
        "children/<int:pk>/subject-access.json",
        views.subject_access_json,
        name="subject_access_json",
    ),
    path("children/<int:pk>/anonymise/", views.anonymise, name="anonymise"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("offers/<int:pk>/settle/", views.offer_settle, name="offer_settle"),
    path("programmes/<int:programme_pk>/consent-forms/", views.consent_forms, name="consent_forms"),
    path(
        "programmes/<int:programme_pk>/consent-forms/new/",
        views.consent_form_publish,
        name="consent_form_publish",
    ),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/columns/", views.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/apply/", views.import_apply, name="import_apply"),
]

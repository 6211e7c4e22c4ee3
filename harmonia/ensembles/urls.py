from django.urls import path

from harmonia.ensembles import views

app_name = "ensembles"

urlpatterns = [
    path("centres/<int:centre_pk>/ensembles/", views.ensemble_list, name="ensemble_list"),
    path("centres/<int:centre_pk>/ensembles/new/", views.ensemble_create, name="ensemble_create"),
    path("ensembles/<int:pk>/", views.ensemble_detail, name="ensemble_detail"),
    path("ensembles/<int:pk>/edit/", views.ensemble_edit, name="ensemble_edit"),
    path("ensembles/<int:pk>/sections/new/", views.section_create, name="section_create"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/remove/", views.section_delete, name="section_delete"),
    path("ensembles/<int:pk>/leads/", views.ensemble_leads, name="ensemble_leads"),
    path(
        "ensemble-leads/<int:pk>/revoke/", views.ensemble_lead_revoke, name="ensemble_lead_revoke"
    ),
    path("ensembles/<int:pk>/place/", views.place_child, name="place_child"),
    path("placements/<int:pk>/end/", views.placement_end, name="placement_end"),
    path("ensembles/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/remove/", views.session_delete, name="session_delete"),
    path("ensembles/<int:pk>/dates/new/", views.occurrence_create, name="occurrence_create"),
    path("dates/<int:pk>/edit/", views.occurrence_edit, name="occurrence_edit"),
    path("dates/<int:pk>/remove/", views.occurrence_delete, name="occurrence_delete"),
    path("centres/<int:centre_pk>/timetable/", views.timetable_page, name="timetable"),
    path("centres/<int:centre_pk>/timetable/generate/", views.generate, name="generate"),
    path("centres/<int:centre_pk>/terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/remove/", views.term_delete, name="term_delete"),
    path(
        "centres/<int:centre_pk>/register-settings/",
        views.register_settings,
        name="register_settings",
    ),
    path("registers/", views.today, name="today"),
    path("registers/<int:pk>/", views.register_page, name="register"),
    path("registers/<int:pk>/marks/", views.register_submit, name="register_submit"),
    path("register-sw.js", views.service_worker, name="service_worker"),
    path("my/timetable/", views.my_timetable, name="my_timetable"),
    path("my/timetable/new-address/", views.feed_reset, name="feed_reset"),
    path(
        "ensembles/<int:pk>/calendar/new-address/",
        views.ensemble_feed_renew,
        name="ensemble_feed_renew",
    ),
    path("calendar/ensembles/<str:token>.ics", views.ensemble_feed, name="ensemble_feed"),
    path("calendar/tutors/<str:token>.ics", views.tutor_feed, name="tutor_feed"),
    path("centres/<int:centre_pk>/attendance/", views.centre_attendance, name="centre_attendance"),
    path(
        "programmes/<int:programme_pk>/attendance/",
        views.programme_attendance,
        name="programme_attendance",
    ),
    path(
        "programmes/<int:programme_pk>/attendance-codes/",
        views.attendance_codes,
        name="attendance_codes",
    ),
    path(
        "attendance-codes/<int:pk>/edit/", views.attendance_code_edit, name="attendance_code_edit"
    ),
    path("ensembles/<int:pk>/bulk-absence/", views.bulk_absence, name="bulk_absence"),
    path(
        "centres/<int:centre_pk>/register-completion/",
        views.register_completion,
        name="register_completion",
    ),
    path("children/<int:pk>/attendance/", views.child_attendance, name="child_attendance"),
]

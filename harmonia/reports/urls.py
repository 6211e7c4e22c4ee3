from django.urls import path

from harmonia.reports import views

app_name = "reports"

urlpatterns = [
    path(
        "programmes/<int:programme_pk>/dashboard/",
        views.programme_dashboard,
        name="programme_dashboard",
    ),
    path("programmes/<int:programme_pk>/annual-return/", views.annual_return, name="annual_return"),
    path("centres/<int:pk>/dashboard/", views.centre_dashboard, name="centre_dashboard"),
    path("grants/<int:pk>/report/", views.grant_report, name="grant_report"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/new/", views.export_start, name="export_start"),
    path("downloads/<int:pk>/", views.job_status, name="job_status"),
    path("downloads/<int:pk>/file/", views.job_download, name="job_download"),
]

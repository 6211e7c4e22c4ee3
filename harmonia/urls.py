from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from harmonia.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("harmonia.accounts.urls")),
    path("language/", set_language, name="set_language"),
    path("", include("harmonia.programmes.urls")),
    path("", include("harmonia.children.urls")),
    path("", include("harmonia.staff.urls")),
    path("", include("harmonia.instruments.urls")),
    path("", include("harmonia.ensembles.urls")),
    path("", include("harmonia.reports.urls")),
    path("admin/", admin.site.urls),
]

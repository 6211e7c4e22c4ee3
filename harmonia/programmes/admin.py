from django.contrib import admin

from harmonia.programmes import models


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "default_language"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "lead_organisation", "area", "status", "opened"]
    list_filter = ["programme", "status"]
    search_fields = ["name"]


@admin.register(models.PartnerSchool)
class PartnerSchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "centre", "phase", "local_authority", "fsm_percent"]
    list_filter = ["centre__programme", "phase"]
    search_fields = ["name", "urn"]


@admin.register(models.Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["funder", "purpose", "amount", "currency", "start", "end"]
    list_filter = ["programme", "funder"]
    filter_horizontal = ["centres"]


for model in (models.Area, models.LeadOrganisation, models.Funder):
    admin.site.register(model, list_display=["name", "programme"], search_fields=["name"])

from django.contrib import admin

from taxonomy.models import Domain, Metier, Objective, PartnershipType


@admin.register(Domain, PartnershipType, Objective, Metier)
class TermAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "position")
    list_editable = ("position",)
    search_fields = ("label", "code")

from django.contrib import admin

from territories.models import ImportRun, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "code", "population", "is_obsolete", "is_private", "is_demo")
    list_filter = ("level", "is_obsolete", "zone", "is_private", "is_demo")
    search_fields = ("search_name", "code")
    readonly_fields = ("search_name", "created_at", "updated_at")
    raw_id_fields = ("successor", "owner")

    def has_add_permission(self, request):
        # Official territories come from the import; project territories from the site.
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("finished_at", "source_version", "created", "changed", "obsoleted", "links_added", "links_removed")
    readonly_fields = [f.name for f in ImportRun._meta.fields]

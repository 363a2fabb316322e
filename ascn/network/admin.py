from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import Chairmanship, City, CityMembership, Country, Partner, Person, RoleTerm, ShepherdTerm


@admin.register(Country)
class CountryAdmin(AuditedAdmin):
    list_display = ("iso3", "name", "joined_on", "nr_agency")
    search_fields = ("iso3", "name")


class MembershipInline(admin.TabularInline):
    model = CityMembership
    extra = 0


@admin.register(City)
class CityAdmin(AuditedAdmin):
    list_display = ("name", "local_name", "country", "pilot")
    list_filter = ("country", "pilot")
    search_fields = ("name", "local_name", "slug", "search_text")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("key", "position", "agency", "name")
    search_fields = ("key", "position", "agency", "name")


@admin.register(RoleTerm)
class RoleTermAdmin(AuditedAdmin):
    list_display = ("role", "country", "city", "person", "starts_on", "ends_on")
    list_filter = ("role", "country")
    autocomplete_fields = ("person", "country", "city")
    list_select_related = ("person", "country", "city")


@admin.register(Chairmanship)
class ChairmanshipAdmin(AuditedAdmin):
    list_display = ("year", "country", "annual_meeting_number", "meeting_date", "meeting_place", "meeting_mode")


@admin.register(ShepherdTerm)
class ShepherdTermAdmin(AuditedAdmin):
    list_display = ("country", "starts_on", "ends_on", "planned_end_year")


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ("name", "kind", "country_iso3", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("name", "slug")

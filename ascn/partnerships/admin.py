from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import Need, Offer, Programme


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ["name", "kind", "amount", "currency", "start_date"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "what_it_offers"]
    filter_horizontal = ["partners"]


@admin.register(Offer)
class OfferAdmin(AuditedAdmin):
    list_display = ["title", "partner", "kind", "state", "deadline"]
    list_filter = ["state", "kind"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["partner"]
    filter_horizontal = ["countries", "cities"]


@admin.register(Need)
class NeedAdmin(AuditedAdmin):
    list_display = ["title", "city", "kind", "state", "amount", "currency"]
    list_filter = ["state", "kind"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["city"]

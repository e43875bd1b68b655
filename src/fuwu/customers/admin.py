from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fuwu.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ("customer_no", "name", "tier", "home_outlet", "id_masked", "phone_masked")
    list_filter = ("tier", "is_elderly", "is_disabled")
    search_fields = ("customer_no", "name")
    exclude = ("id_hash", "id_cipher", "phone_hash", "phone_cipher", "card_hash")
    readonly_fields = ("id_masked", "phone_masked", "card_masked", "created_at")

from django.contrib import admin

from bots.models import LLMCall


@admin.register(LLMCall)
class LLMCallAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "provider", "model", "outcome", "input_tokens", "output_tokens",
                    "cache_read_tokens", "cost_usd", "contact")
    list_filter = ("kind", "provider", "outcome", "model")
    search_fields = ("contact__phone", "contact__name")
    raw_id_fields = ("contact", "message")

    def has_add_permission(self, request):
        return False  # the ledger is written by the Claude client only

    def has_change_permission(self, request, obj=None):
        return False

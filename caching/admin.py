from django.contrib import admin

from caching.models import SemanticCacheEntry


@admin.register(SemanticCacheEntry)
class SemanticCacheEntryAdmin(admin.ModelAdmin):
    list_display = ("kind", "scope", "text", "hit_count", "created_at", "expires_at")
    list_filter = ("kind",)
    search_fields = ("scope", "text")
    exclude = ("embedding",)
    readonly_fields = ("kind", "scope", "version", "model", "prompt_version", "context_hash", "fingerprint", "text",
                       "value", "cost_usd", "tokens", "hit_count", "created_at", "last_hit_at", "expires_at")

    def has_add_permission(self, request):
        return False  # entries are written by the cache only

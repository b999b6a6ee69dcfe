from django.contrib import admin

from leads.models import Contact, Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("created_at", "direction", "body", "status", "segments", "twilio_sid")
    readonly_fields = fields
    can_delete = False
    fk_name = "contact"


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("phone", "name", "lead_type", "temperature", "frs_score", "pcs_score", "opted_out", "bot_paused", "updated_at")
    list_filter = ("temperature", "lead_type", "opted_out", "bot_paused")
    search_fields = ("phone", "name")
    readonly_fields = ("cache_version", "time_zone", "created_at", "updated_at", "opted_out_at", "bot_paused_at")
    inlines = [MessageInline]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("contact", "active_bot", "started_at", "last_activity_at")
    list_filter = ("active_bot",)
    search_fields = ("contact__phone", "contact__name")
    raw_id_fields = ("contact",)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "contact", "direction", "status", "segments", "body")
    list_filter = ("direction", "status")
    search_fields = ("contact__phone", "body", "twilio_sid")
    raw_id_fields = ("contact", "conversation")

"""The agents' workplace: contacts by priority, each with its transcript, facts, score history and cost, and
the actions agents take on a lead. Every action calls a service; this module only wires requests to them."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import date as format_date
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from agents import selectors as agent_selectors
from agents.services import agent_send_text
from booking.selectors import appointments_of
from leads import selectors, services
from leads.phones import normalize_phone
from leads.selectors import ContactHandling, Handling
from leads.facts import facts_for_display
from leads.models import BotKind, ConsentMethod, Contact, Conversation, FollowUp, FollowUpStatus, Message
from sms.outbound import TWILIO_MAX_BODY
from team import selectors as team_selectors
from team.models import AgentProfile, RoutingGroup
from team.services import reassign_lead

admin.site.site_header = "Lead qualification"
admin.site.site_title = "Lead qualification"
admin.site.index_title = "Leads, conversations and model calls"
admin.site.site_url = None  # no public site; the header links to the dashboard instead (templates/admin/base_site.html)
admin.site.enable_nav_sidebar = False  # the contacts list needs the width more than a second menu


@dataclass(frozen=True)
class ContactAction:
    label: str
    run: Callable[[Contact, AbstractBaseUser], str]  # does the work through a service, returns what happened in words
    # Offered only where it applies, given who has the conversation and the contact's follow-up plan (or None).
    applies: Callable[[ContactHandling, FollowUp | None], bool] = lambda handling, follow_up: True
    style: str = ""                # "danger" for actions that cannot be undone from the admin


def _take_over(contact: Contact, agent) -> str:
    services.contact_take_over(contact=contact, agent=agent)
    return "you have the conversation: the bot is paused"


def _hand_back(contact: Contact, agent) -> str:
    services.contact_hand_back(contact=contact)
    return "handed back: the bot answers the next text"


def _mark_opted_out(contact: Contact, agent) -> str:
    if contact.opted_out:
        return "already opted out"
    services.contact_set_opt_out(contact=contact, opted_out=True, because=f"marked opted out by {agent}")
    return "marked opted out: no texts go out until they text START"


def _rescore(contact: Contact, agent) -> str:
    return f"re-scored from the stored facts: {services.contact_rescore(contact=contact).summary()}"


def _invalidate_cache(contact: Contact, agent) -> str:
    return f"cached model results retired (cache version {services.contact_retire_cache(contact_id=contact.pk)})"


def _pause_follow_ups(contact: Contact, agent) -> str:
    services.follow_up_pause(contact=contact, paused=True)
    return "follow-ups paused: none is sent until you resume them"


def _resume_follow_ups(contact: Contact, agent) -> str:
    services.follow_up_pause(contact=contact, paused=False)
    return "follow-ups resumed where they were"


def _cancel_follow_ups(contact: Contact, agent) -> str:
    services.follow_up_stop(contact=contact, reason=f"cancelled by {agent}")
    return "follow-ups cancelled for good"


def _follow_up_is(*statuses):
    return lambda handling, follow_up: follow_up is not None and follow_up.status in statuses


CONTACT_ACTIONS = {
    "take_over": ContactAction("Take over", _take_over, applies=lambda handling, _: handling.can_take_over),
    "hand_back": ContactAction("Hand back to the bot", _hand_back, applies=lambda handling, _: handling.can_hand_back),
    "rescore": ContactAction("Re-score now", _rescore),
    "invalidate_cache": ContactAction("Invalidate cache", _invalidate_cache),
    "pause_follow_ups": ContactAction("Pause follow-ups", _pause_follow_ups,
                                      applies=_follow_up_is(FollowUpStatus.ACTIVE)),
    "resume_follow_ups": ContactAction("Resume follow-ups", _resume_follow_ups,
                                       applies=_follow_up_is(FollowUpStatus.PAUSED)),
    "cancel_follow_ups": ContactAction("Cancel follow-ups", _cancel_follow_ups, style="danger",
                                       applies=_follow_up_is(FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED)),
    "mark_opted_out": ContactAction("Mark opted out", _mark_opted_out, style="danger",
                                    applies=lambda handling, _: handling.state != Handling.OPTED_OUT),
}


MOMENT_FORMAT = "M j, Y, g:i A"  # the agent panel's format, with the year: one format on the page


class ContactForm(forms.ModelForm):
    def clean_phone(self):
        # The model stores one E.164 form per number; a number that has none is refused here, in words.
        return normalize_phone(self.cleaned_data["phone"])


class ConsentNoteForm(forms.Form):
    note = forms.CharField(label="Record consent given to an agent", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": "How and when they agreed to texts"}))


class AgentTextForm(forms.Form):
    body = forms.CharField(label="Text the contact", max_length=TWILIO_MAX_BODY,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Hi, this is ... from the team"}))


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label="Give the lead to", queryset=get_user_model().objects.none(),
                                   empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profiles = team_selectors.agents_for_assignment()
        self.fields["agent"].queryset = get_user_model().objects.filter(pk__in=[p.user_id for p in profiles])
        self.fields["agent"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.get_username()}"
            f"{'' if user.agent_profile.accepting_leads else ' (paused)'}")


def _moment(field: str, label: str, ordering: str | None = None):
    """A read-only column or field showing a moment in MOMENT_FORMAT, in the page's zone."""
    @admin.display(description=label, ordering=ordering)
    def shown(model_admin, contact):
        moment = getattr(contact, field)
        return format_date(timezone.localtime(moment), MOMENT_FORMAT) if moment else "-"

    return shown


class FollowUpFilter(admin.SimpleListFilter):
    title = "follow-up"
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [("due_today", "Due today (UTC), overdue included"), ("paused", "Paused")]

    def queryset(self, request, queryset):
        if self.value() == "due_today":
            end_of_today = timezone.localtime().replace(hour=23, minute=59, second=59, microsecond=999999)
            return selectors.follow_ups_due_by(queryset, end_of_today)
        if self.value() == "paused":
            return queryset.filter(follow_up__status=FollowUpStatus.PAUSED)
        return queryset


class StageFilter(admin.SimpleListFilter):
    title = "stage"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return BotKind.choices

    def queryset(self, request, queryset):
        return queryset.filter(stage=self.value()) if self.value() else queryset


def _bulk_action(name: str):
    action = CONTACT_ACTIONS[name]

    def run(model_admin, request, queryset):
        done, skipped = 0, 0
        for contact in queryset:
            if not action.applies(selectors.contact_handling(contact), selectors.contact_follow_up(contact)):
                skipped += 1
                continue
            model_admin.log_change(request, contact, action.run(contact, request.user))
            done += 1
        left = f"; {skipped} left as they were (it does not apply to them)" if skipped else ""
        model_admin.message_user(request, f"{action.label}: {done} contact(s){left}.", messages.SUCCESS)

    run.__name__ = name
    return admin.action(description=f"{action.label} (selected contacts)", permissions=["change"])(run)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("temperature_badge", "display_name", "phone", "lead_type", "stage_label", "frs_score",
                    "pcs_score", "last_message", "who_has_it", "lead_agent", "consent")
    list_display_links = ("display_name", "phone")
    list_filter = ("temperature", "lead_type", StageFilter, FollowUpFilter, "opted_out", "bot_paused", "needs_agent")
    search_fields = ("name", "phone")  # shows the search box; the search itself is contacts_matching
    search_help_text = "Name, or a phone number in any format (or a few of its digits)"
    list_per_page = 50
    actions = [_bulk_action(name) for name in CONTACT_ACTIONS]
    fieldsets = (
        (None, {"fields": ("name", "phone", "lead_type")}),
        ("Status", {"fields": ("temperature", "frs_score", "pcs_score", "needs_agent", "handoff_reason",
                               "handed_off_at", "bot_paused", "paused_at", "agent_with_conversation", "opted_out",
                               "opted_out_when")}),
        ("Appointments", {"fields": ("appointments",)}),
        ("Details", {"classes": ("collapse",),
                     "fields": ("time_zone", "cache_version", "last_message_when", "created_when", "updated_when")}),
    )
    # Scores and temperature come from facts through code, flags through the actions above the form: an agent
    # edits only who the contact is.
    readonly_fields = ("temperature", "frs_score", "pcs_score", "needs_agent", "handoff_reason", "handed_off_at",
                       "bot_paused", "paused_at", "agent_with_conversation", "opted_out", "opted_out_when",
                       "appointments", "time_zone", "cache_version", "last_message_when", "created_when", "updated_when")
    change_form_template = "admin/leads/contact/change_form.html"
    form = ContactForm

    class Media:
        css = {"all": ("agents/agents.css",)}

    def get_queryset(self, request):
        return selectors.contacts_for_agents(super().get_queryset(request)).select_related("assignment__agent")

    def get_ordering(self, request):
        return selectors.PRIORITY_ORDERING

    def get_search_results(self, request, queryset, search_term):
        return selectors.contacts_matching(queryset, search_term), False

    def get_readonly_fields(self, request, obj=None):
        # A number is who the contact is: set when the contact is made, never edited.
        return self.readonly_fields + (("phone",) if obj else ())

    @admin.display(description="Temperature", ordering="temperature_rank")
    def temperature_badge(self, contact):
        return format_html('<span class="temperature-badge temperature-{}">{}</span>', contact.temperature,
                           contact.get_temperature_display())

    @admin.display(description="Name", ordering="name")
    def display_name(self, contact):
        return contact.name or "(no name yet)"

    @admin.display(description="Last message", ordering=F("last_message_at").desc(nulls_last=True))
    def last_message(self, contact):
        return f"{timesince(contact.last_message_at, depth=1)} ago" if contact.last_message_at else "-"

    @admin.display(description="Stage", ordering="stage")
    def stage_label(self, contact):
        return BotKind(contact.stage).label if contact.stage else "-"

    @admin.display(description="Who has it", ordering="priority")
    def who_has_it(self, contact):
        handling = selectors.contact_handling(contact)
        since = f" ({timesince(handling.since, depth=1)})" if handling.since and handling.state != Handling.OPTED_OUT else ""
        if handling.state == Handling.WAITING:
            return format_html('<span class="handling handling-waiting">Waiting for an agent</span>{}{}', since,
                               f": {handling.reason}" if handling.reason else "")
        if handling.state == Handling.TAKEN_OVER:
            return format_html('<span class="handling handling-taken-over">{}</span>{}', handling.summary, since)
        if handling.state == Handling.OPTED_OUT:
            return mark_safe('<span class="handling handling-opted-out">Nobody: opted out</span>')
        return "The bot"

    @admin.display(description="Agent", ordering="assignment__agent__first_name")
    def lead_agent(self, contact):
        """Who routing gave the lead to (or who claimed it); an open offer says so."""
        assignment = getattr(contact, "assignment", None)
        if assignment is None:
            return "-"
        if assignment.agent:
            return assignment.agent.get_full_name() or assignment.agent.get_username()
        return {"offered": "Offered, not claimed yet", "pond": "In the pond"}.get(assignment.status, "-")

    @admin.display(description="Opt-out / opt-in")
    def consent(self, contact):
        event = selectors.contact_consent_event(contact)
        if event is None:
            return "-"
        when = f" {timesince(event.at, depth=1)} ago" if event.at else ""
        said = format_html(": “{}”", Truncator(event.text).chars(40)) if event.text else ""
        if event.opted_out:
            return format_html('<span class="consent consent-opt-out">Opted out{}</span>{}', when, said)
        return format_html('<span class="consent consent-opt-in">Opted back in{}</span>{}', when, said)

    # --- the contact page -----------------------------------------------------------------------------------

    # The status box's moments in the panel's format; the page renders them in the contact's zone.
    handed_off_at = _moment("handoff_at", "Handed off at")
    paused_at = _moment("bot_paused_at", "Bot paused at")
    opted_out_when = _moment("opted_out_at", "Opted out at")
    last_message_when = _moment("last_message_at", "Last message at")
    created_when = _moment("created_at", "Created at")
    updated_when = _moment("updated_at", "Updated at")

    @admin.display(description="Who has the conversation")
    def agent_with_conversation(self, contact):
        return selectors.contact_handling(contact).summary

    @admin.display(description="Appointments")
    def appointments(self, contact):
        """Newest first, each linking to its page (times in the page's zone, the contact's)."""
        rows = [format_html('<li><a href="{}">{}</a>: {} with {}, {}{}</li>',
                            reverse("admin:booking_appointment_change", args=[appointment.pk]),
                            format_date(timezone.localtime(appointment.starts_at), MOMENT_FORMAT),
                            appointment.get_kind_display(),
                            (appointment.agent.get_full_name() or appointment.agent) if appointment.agent else "nobody",
                            appointment.get_status_display().lower(),
                            f" ({appointment.location})" if appointment.location else "")
                for appointment in appointments_of(contact)]
        return format_html("<ul>{}</ul>", mark_safe("".join(rows))) if rows else "None booked"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/act/<slug:action>/", wrap(require_POST(self.contact_action_view)),
                 name="leads_contact_action"),
            path("<int:object_id>/text/", wrap(require_POST(self.agent_text_view)), name="leads_contact_text"),
            path("<int:object_id>/consent/", wrap(require_POST(self.consent_note_view)), name="leads_contact_consent"),
            path("<int:object_id>/assign/", wrap(require_POST(self.assign_view)), name="leads_contact_assign"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        contact = self.get_object(request, object_id)
        if contact is not None:
            extra_context = {**(extra_context or {}), **self._agent_panel(request, contact)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _agent_panel(self, request: HttpRequest, contact: Contact, text_form: AgentTextForm | None = None) -> dict:
        can_act = self.has_change_permission(request, contact)
        handling = selectors.contact_handling(contact)
        follow_up = selectors.contact_follow_up(contact)
        return {
            "contact": contact,
            "handling": handling,
            "transcript": agent_selectors.transcript_entries(contact),
            "facts": facts_for_display(contact.facts),
            "score_history": selectors.contact_score_history(contact),
            "cost_usd": agent_selectors.contact_cost_usd(contact),
            "texting": selectors.contact_texting_window(contact),
            "stage": BotKind(contact.stage).label if contact.stage else "",
            "contact_actions": [(name, action) for name, action in CONTACT_ACTIONS.items()
                                if action.applies(handling, follow_up)] if can_act else [],
            "follow_up": follow_up,
            "follow_up_kind": selectors.follow_up_kind(follow_up) if follow_up else "",
            "text_form": (text_form or AgentTextForm()) if can_act and not contact.opted_out else None,
            "consents": selectors.contact_consents(contact),
            "consent_form": ConsentNoteForm() if can_act and not contact.opted_out else None,
            "assignment": team_selectors.lead_assignment(contact),
            "routing_history": team_selectors.routing_history(contact),
            "assign_form": AssignForm() if can_act and team_selectors.team_has_agents() else None,
        }

    def contact_action_view(self, request, object_id: int, action: str):
        contact = self._contact_to_change(request, object_id)
        if action not in CONTACT_ACTIONS:
            raise PermissionDenied(f"no such action: {action}")
        handling = selectors.contact_handling(contact)
        if not CONTACT_ACTIONS[action].applies(handling, selectors.contact_follow_up(contact)):
            # A page left open while a colleague acted, say.
            self.message_user(request, f"{CONTACT_ACTIONS[action].label}: nothing done. {handling.summary}.",
                              messages.WARNING)
            return self._back_to(contact)
        outcome = CONTACT_ACTIONS[action].run(contact, request.user)
        self.log_change(request, contact, outcome)
        self.message_user(request, f"{CONTACT_ACTIONS[action].label}: {outcome}.", messages.SUCCESS)
        return self._back_to(contact)

    def agent_text_view(self, request, object_id: int):
        contact = self._contact_to_change(request, object_id)
        form = AgentTextForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("body", []):
                self.message_user(request, f"Not sent: {error}", messages.ERROR)
            return self._back_to(contact)
        try:
            message = agent_send_text(contact=contact, body=form.cleaned_data["body"], agent=request.user)
        except ValidationError as exc:
            self.message_user(request, f"Not sent: {exc.messages[0]}", messages.ERROR)
            return self._back_to(contact)
        self.log_change(request, contact, f"texted the contact: {message.body[:80]}")
        window = selectors.contact_texting_window(contact)
        if window.opted_out:
            self.message_user(request, "The contact has opted out: the text is recorded but will not be sent.",
                              messages.WARNING)
        elif window.next_allowed:
            local = format_date(window.next_allowed, "D N j, P")
            self.message_user(request, f"Quiet hours where the contact is: the text goes out at {local} their time. "
                                       "You have the conversation now: the bot is paused.", messages.WARNING)
        else:
            self.message_user(request, "Text queued for sending. You have the conversation now: the bot is paused.",
                              messages.SUCCESS)
        return self._back_to(contact)

    def consent_note_view(self, request, object_id: int):
        contact = self._contact_to_change(request, object_id)
        form = ConsentNoteForm(request.POST)
        if contact.opted_out or not form.is_valid():
            why = "the contact has opted out (only their START opts them back in)" if contact.opted_out else \
                "; ".join(form.errors.get("note", []))
            self.message_user(request, f"Consent not recorded: {why}", messages.ERROR)
            return self._back_to(contact)
        services.consent_record(contact=contact, method=ConsentMethod.AGENT_NOTE, note=form.cleaned_data["note"],
                                recorded_by=request.user)
        self.log_change(request, contact, f"recorded consent: {form.cleaned_data['note'][:80]}")
        self.message_user(request, "Consent recorded: first texts and follow-ups may go to this contact.",
                          messages.SUCCESS)
        return self._back_to(contact)

    def assign_view(self, request, object_id: int):
        contact = self._contact_to_change(request, object_id)
        form = AssignForm(request.POST)
        if not form.is_valid():
            self.message_user(request, f"Not reassigned: {'; '.join(form.errors.get('agent', ['choose an agent']))}",
                              messages.ERROR)
            return self._back_to(contact)
        agent = form.cleaned_data["agent"]
        reassign_lead(contact=contact, agent=agent, by=request.user)
        who = agent.get_full_name() or agent.get_username()
        self.log_change(request, contact, f"gave the lead to {who}")
        self.message_user(request, f"The lead is now {who}'s; they have been told.", messages.SUCCESS)
        return self._back_to(contact)

    def _contact_to_change(self, request, object_id: int) -> Contact:
        contact = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, contact):
            raise PermissionDenied
        return contact

    def _back_to(self, contact: Contact) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:leads_contact_change", args=[contact.pk]))


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("contact", "active_bot", "started_utc", "last_activity_utc")
    list_filter = ("active_bot",)
    search_fields = ("contact__phone", "contact__name")
    raw_id_fields = ("contact",)

    # Lists of many contacts have no one contact's zone: the server's, said in the column.
    started_utc = _moment("started_at", "Started (UTC)", ordering="started_at")
    last_activity_utc = _moment("last_activity_at", "Last activity (UTC)", ordering="last_activity_at")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The record of what was said and sent: read-only here (agents text through the contact page)."""

    list_display = ("created_utc", "contact", "direction", "author", "status", "segments", "body")
    list_filter = ("direction", "author", "status")
    search_fields = ("contact__phone", "body", "twilio_sid")
    raw_id_fields = ("contact", "conversation", "reply_to")
    exclude = ("embedding",)
    created_utc = _moment("created_at", "Created (UTC)", ordering="created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- the team: agents' profiles and routing groups ----------------------------------------------------------------

class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    can_delete = True
    extra = 0
    max_num = 1
    fields = ("accepting_leads", "phone", ("time_zone", "work_days"), ("work_start", "work_end"), "lead_types",
              "areas", ("price_min", "price_max"), "last_lead_at")
    readonly_fields = ("last_lead_at",)
    verbose_name = "agent profile (routing takes leads for this user only with one)"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class TeamUserAdmin(UserAdmin):
    inlines = (*UserAdmin.inlines, AgentProfileInline)


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    """Every agent at a glance, with the switch to pause new leads; the whole profile is edited on the user."""

    list_display = ("__str__", "accepting_leads", "phone", "lead_types", "areas", "price_min", "price_max",
                    "last_lead_at")
    list_editable = ("accepting_leads",)
    list_filter = ("accepting_leads",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("last_lead_at",)

    # An agent (not a superuser) sees only their own profile and may change only the switch: the rules that
    # route leads are the team's to set.
    def get_queryset(self, request):
        profiles = super().get_queryset(request).select_related("user")
        return profiles if request.user.is_superuser else profiles.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return tuple(field.name for field in AgentProfile._meta.fields if field.editable and field.name != "accepting_leads")

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(RoutingGroup)
class RoutingGroupAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "mode", "member_count", "claim_timeout_minutes")
    list_display_links = ("name",)
    filter_horizontal = ("members",)

    @admin.display(description="Members")
    def member_count(self, group):
        return group.members.count()

from django.core.management.base import BaseCommand
from django.db import transaction

from leads.models import BotKind, LeadType, Temperature
from leads.scoring import score
from leads.services import contact_apply_turn, contact_get_or_create, message_record_inbound

# 555-01xx numbers are reserved for fiction, so demo data never reaches a real phone. Scores and temperatures
# come from the facts through the same code a turn uses, so a re-score leaves them as they are.
DEMO_CONTACTS = [
    ("+1 (415) 555-0101", "Maya Chen", LeadType.BUYER,
     {"financing": "pre_approved", "budget_max": 650_000, "bedrooms": 3, "areas": ["Noe Valley"],
      "property_type": "single_family", "timeline_days": 90},
     "We're pre-approved for $650k and want a 3br house in Noe Valley by June"),
    ("+1 (512) 555-0102", "Luis Ortega", LeadType.SELLER,
     {"address": "5th St condo", "timeline_days": 90, "motivation": "moving closer to family"},
     "Thinking of selling my condo on 5th St in the next 3 months, moving closer to family"),
    ("+1 (305) 555-0103", "Priya Nair", LeadType.UNKNOWN, {}, "hi, saw your sign, what's this about?"),
]
STAGE_FOR_LEAD_TYPE = {LeadType.BUYER: BotKind.BUYER, LeadType.SELLER: BotKind.SELLER, LeadType.UNKNOWN: BotKind.LEAD}


class Command(BaseCommand):
    help = ("Create a few demo contacts (Hot buyer waiting for an agent, Warm seller, Cold newcomer), each with a "
            "first message. Idempotent: numbers that already exist are left alone.")

    @transaction.atomic
    def handle(self, *args, **options):
        created_count = 0
        for phone, name, lead_type, facts, first_text in DEMO_CONTACTS:
            contact, created = contact_get_or_create(phone=phone, name=name)
            if not created:
                continue
            message_record_inbound(contact=contact, body=first_text, twilio_sid=None)
            scores = score(lead_type, facts)
            contact_apply_turn(contact=contact, name=name, lead_type=lead_type, facts=facts, frs=scores.frs,
                               pcs=scores.pcs, temperature=scores.temperature, bot=STAGE_FOR_LEAD_TYPE[lead_type],
                               asked_slot="", handoff_reason="hot lead" if scores.temperature == Temperature.HOT else "")
            created_count += 1
            self.stdout.write(f"  {contact.phone} {name}: {contact.get_temperature_display()} "
                              f"(FRS {contact.frs_score}, PCS {contact.pcs_score})")
        self.stdout.write(f"demo contacts: {created_count} created, {len(DEMO_CONTACTS) - created_count} already there")

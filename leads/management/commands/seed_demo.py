from django.core.management.base import BaseCommand
from django.db import transaction

from leads.models import Contact, LeadType, Temperature
from leads.services import contact_get_or_create, message_record_inbound

# 555-01xx numbers are reserved for fiction, so demo data never reaches a real phone.
DEMO_CONTACTS = [
    ("+1 (415) 555-0101", "Maya Chen", LeadType.BUYER, Temperature.HOT, "We're pre-approved for $650k and want a 3br in Noe Valley by June"),
    ("+1 (512) 555-0102", "Luis Ortega", LeadType.SELLER, Temperature.WARM, "Thinking of selling my condo on 5th St in the next 3 months"),
    ("+1 (305) 555-0103", "Priya Nair", LeadType.UNKNOWN, Temperature.COLD, "hi, saw your sign, what's this about?"),
]


class Command(BaseCommand):
    help = "Create a few demo contacts with a first message (idempotent: existing numbers are left alone)."

    @transaction.atomic
    def handle(self, *args, **options):
        created_count = 0
        for phone, name, lead_type, temperature, first_text in DEMO_CONTACTS:
            contact, created = contact_get_or_create(phone=phone, name=name)
            if not created:
                continue
            Contact.objects.filter(pk=contact.pk).update(lead_type=lead_type, temperature=temperature)
            message_record_inbound(contact=contact, body=first_text, twilio_sid=None)
            created_count += 1
        self.stdout.write(f"demo contacts: {created_count} created, {len(DEMO_CONTACTS) - created_count} already there")

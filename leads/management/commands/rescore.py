import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from leads.management.arguments import contact_from_argument
from leads.models import Contact
from leads.services import contact_rescore


class Command(BaseCommand):
    help = ("Recompute FRS, PCS and temperature from stored facts (after a change to the scoring rules, or to check "
            "one lead). A temperature change retires the contact's cached model results, as a turn's would.")

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--contact", metavar="PHONE", help="one contact's phone number, any format")
        target.add_argument("--all", action="store_true", help="every contact")

    def handle(self, *args, contact, all, **options):
        if contact:
            found = contact_from_argument(contact)
            self.stdout.write(f"{found.phone}: {contact_rescore(contact=found).summary()}")
            return
        contacts = Contact.objects.order_by("id")
        total = contacts.count()
        changed = temperature_changed = 0
        for one in tqdm(contacts.iterator(chunk_size=500), total=total, desc="rescore", unit="lead", file=sys.stderr,
                        disable=None, leave=False):
            result = contact_rescore(contact=one)
            if result.changed:
                changed += 1
                temperature_changed += result.temperature_before != result.contact.temperature
                self.stdout.write(f"{result.contact.phone}: {result.summary()}")
        self.stdout.write(f"re-scored {total} contact(s): {changed} changed, {temperature_changed} changed temperature")

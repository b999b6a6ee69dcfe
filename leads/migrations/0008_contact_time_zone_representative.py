"""Contacts stored before quiet hours knew every zone of a number got the first zone phonenumbers listed (907 ->
America/Adak); give them the representative zone now derived (907 -> America/Anchorage). Quiet hours do not
depend on this (they use every zone of the number); it is the zone shown to agents."""

from django.core.exceptions import ValidationError
from django.db import migrations


def recompute_time_zones(apps, schema_editor):
    from leads.phones import time_zone_for_phone

    Contact = apps.get_model("leads", "Contact")
    changed = []
    for contact in Contact.objects.only("id", "phone", "time_zone").iterator(chunk_size=2000):
        try:
            zone = time_zone_for_phone(contact.phone)
        except ValidationError:  # a number stored before validation was strict: leave its zone alone
            continue
        if zone != contact.time_zone:
            contact.time_zone = zone
            changed.append(contact)
    Contact.objects.bulk_update(changed, ["time_zone"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("leads", "0007_contact_language_conversation_closed")]

    operations = [migrations.RunPython(recompute_time_zones, migrations.RunPython.noop, elidable=True)]

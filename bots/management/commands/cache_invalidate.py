from django.core.management.base import BaseCommand, CommandError

from caching.policy import CallKind
from caching.services import get_cache
from leads.management.arguments import contact_from_argument
from leads.services import contact_retire_cache


class Command(BaseCommand):
    help = "Retire cached LLM results of one contact, of one kind, or all of them, in every tier."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--contact", metavar="PHONE", help="a contact's phone number, any format")
        target.add_argument("--kind", choices=[kind.value for kind in CallKind])
        target.add_argument("--all", action="store_true")
        parser.add_argument("--yes", action="store_true", help="do not ask before --all")

    def handle(self, *args, contact, kind, all, yes, **options):
        cache = get_cache()
        if contact:
            found = contact_from_argument(contact)
            version = contact_retire_cache(contact_id=found.pk)
            self.stdout.write(f"contact {found.phone}: cache version is now {version}")
        elif kind:
            generation = cache.invalidate_kind(CallKind(kind))
            self.stdout.write(f"kind {kind}: generation is now {generation}")
        else:
            if not yes:
                answer = input("Retire every cached LLM result of every kind? [y/N] ") if self.stdin_is_tty() else ""
                if answer.strip().lower() not in ("y", "yes"):
                    raise CommandError("not confirmed; pass --yes to skip the question")
            cache.invalidate_all()
            self.stdout.write("all kinds invalidated")

    @staticmethod
    def stdin_is_tty() -> bool:
        import sys

        return sys.stdin.isatty()

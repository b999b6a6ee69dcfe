import csv
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from agents.selectors import EXPORT_FIELDS, export_row, leads_for_export
from leads.models import Temperature


class Command(BaseCommand):
    help = ("Write contacts with their scores, stage, flags, model-call cost, facts and consent records as CSV or JSON, hottest first, "
            "to standard output or --output FILE.")

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=["csv", "json"], dest="output_format")
        parser.add_argument("--temperature", type=str.lower, choices=[t.value for t in Temperature],
                            help="only contacts of this temperature (hot, warm or cold; any case)")
        parser.add_argument("--output", type=Path, metavar="FILE", help="write here instead of standard output")

    def handle(self, *args, output_format, temperature, output, **options):
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"--output: no such directory: {output.parent}")
        contacts = leads_for_export(temperature=temperature)
        total = contacts.count()
        # A progress bar only where someone watches (a terminal) and never on the stream that carries the data.
        rows = (export_row(contact) for contact in
                tqdm(contacts.iterator(chunk_size=500), total=total, desc="export", unit="lead", file=sys.stderr,
                     disable=None if output is not None else True, leave=False))
        if output is None:
            self._write(rows, output_format, self.stdout)
        else:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                self._write(rows, output_format, handle)
            self.stderr.write(f"{total} lead(s) written to {output}")

    @staticmethod
    def _write(rows, output_format: str, stream) -> None:
        if output_format == "json":
            stream.write(json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n")
            return
        writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "facts": json.dumps(row["facts"], ensure_ascii=False, sort_keys=True),
                             "consent": json.dumps(row["consent"], ensure_ascii=False)})

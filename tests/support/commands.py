"""Management commands run in-process (call_command), against the test database and Redis."""

import io

from django.core.management import call_command


def run_command(*args) -> str:
    """What the command printed on stdout (stderr is swallowed)."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()

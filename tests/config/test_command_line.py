"""Operator commands the way a terminal sees them: their exit codes and error messages (one child process runs them
all through manage.py's own entry point, so argparse's usage errors exit 2 and a CommandError exits 1). What each
command prints is tested in-process with its app: tests/caching/test_commands.py, tests/leads/test_commands.py,
tests/agents/test_export_leads.py, tests/sms/test_real_worker.py (simulate_sms)."""

import json
import subprocess
import sys

import pytest

from tests.support import PROJECT

COMMANDS = ["cache_stats", "cache_invalidate", "cache_purge_expired", "cache_calibrate", "seed_demo", "simulate_sms",
            "export_leads", "rescore"]

# Each case: argv, expected exit code, a line expected on stdout (code 0) or stderr.
CLI_CASES = [
    *[([name, "--help"], 0, "usage: manage.py " + name) for name in COMMANDS],
    (["cache_stats", "--days", "0"], 1, "CommandError: --days must be 1 or more"),
    (["cache_stats", "--days", "one"], 2, "argument --days: invalid int value: 'one'"),
    (["cache_invalidate"], 2, "one of the arguments --contact --kind --all is required"),
    (["cache_invalidate", "--kind", "weather"], 2, "argument --kind: invalid choice: 'weather'"),
    (["cache_invalidate", "--contact", "not a phone"], 1, "CommandError: --contact: 'not a phone' is not a phone number: it does not read as a phone number"),
    (["cache_invalidate", "--contact", "+1 415 555 0177"], 1, "CommandError: --contact: no contact with number"),
    (["cache_invalidate", "--all"], 1, "CommandError: not confirmed; pass --yes to skip the question"),
    (["cache_calibrate", "--pairs", "/no/such/file.jsonl"], 1, "CommandError: --pairs: no such file"),
    (["export_leads"], 2, "the following arguments are required: --format"),
    (["export_leads", "--format", "xml"], 2, "argument --format: invalid choice: 'xml'"),
    (["export_leads", "--format", "csv", "--temperature", "lukewarm"], 2, "argument --temperature: invalid choice"),
    (["export_leads", "--format", "csv", "--output", "/no/such/dir/leads.csv"], 1,
     "CommandError: --output: no such directory: /no/such/dir"),
    (["rescore"], 2, "one of the arguments --contact --all is required"),
    (["rescore", "--contact", "+1 415 555 0177", "--all"], 2, "argument --all: not allowed with argument --contact"),
    (["rescore", "--contact", "12"], 1, "CommandError: --contact: '12' is not a phone number: it has too few digits"),
    (["rescore", "--contact", "+1 415 555 0177"], 1, "CommandError: --contact: no contact with number +1 415 555 0177"),
    (["simulate_sms", "hi"], 2, "the following arguments are required: --from"),
    (["simulate_sms", "hi", "--from", "+1 512 555 0123", "--url", "http://127.0.0.1:9", "--wait", "1"], 1,
     "CommandError: --url: cannot reach the app at http://127.0.0.1:9"),
]

CLI_RUNNER = """
import contextlib, io, json, sys
import django
django.setup()
from django.core.management import ManagementUtility

results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    results.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
print(json.dumps(results))
"""


@pytest.mark.django_db
def test_exit_codes_and_messages_from_the_command_line(project_env):
    """One child process runs every case through manage.py's entry point (one Django start-up for all of them)."""
    argvs = [argv for argv, _, _ in CLI_CASES]
    child = subprocess.run([sys.executable, "-c", CLI_RUNNER, json.dumps(argvs)], cwd=PROJECT, capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL,
                           env={**project_env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert child.returncode == 0, child.stderr[-2000:]
    results = json.loads(child.stdout.strip().splitlines()[-1])
    for (argv, code, expected), result in zip(CLI_CASES, results):
        stream = result["stdout"] if code == 0 else result["stderr"]
        assert (result["code"], expected in stream) == (code, True), (argv, result)
    assert all("Traceback" not in result["stderr"] for result in results)

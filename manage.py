#!/usr/bin/env python
"""Django's command-line utility. A configuration error prints one line naming the setting, not a traceback.

An entry point: for the commands that use the database or Redis it starts (or reuses) the embedded servers
before Django reads its settings, when DATABASE_URL/REDIS_URL are unset outside production. Commands that need
neither (help, check, embedded_services, ...) start nothing."""

import os
import sys

# Commands that never open a connection to the database or Redis. `check` does only with --database;
# `embedded_services` starts the servers itself for `start` and never for `status`.
WITHOUT_SERVICES = {"help", "version", "check", "diffsettings", "embedded_services", "collectstatic",
                    "findstatic", "startapp", "startproject", "makemessages", "compilemessages"}


def needs_services(argv: list[str]) -> bool:
    args = argv[1:]
    if not args or args[0] in ("help", "--help", "-h", "version", "--version") or "--help" in args or "-h" in args:
        return False
    if args[0] == "check":
        return any(arg == "--database" or arg.startswith("--database=") for arg in args)
    return args[0] not in WITHOUT_SERVICES


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.env import ConfigurationError

    if needs_services(sys.argv):
        from config import embedded

        try:
            embedded.provide()
        except embedded.EmbeddedServiceError as exc:
            sys.stderr.write(f"configuration error: {exc}\n")
            sys.exit(2)
    else:
        from config.apps import InfrastructureConfig

        InfrastructureConfig.load_celery_app = False  # no task is sent: Celery need not be imported

    from django.conf import settings
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads (and checks) the settings now
    except ConfigurationError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        sys.exit(2)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

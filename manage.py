#!/usr/bin/env python
"""Django's command-line utility. A configuration error prints one line naming the setting, not a traceback."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from config.env import ConfigurationError

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads (and checks) the settings now
    except ConfigurationError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        sys.exit(2)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

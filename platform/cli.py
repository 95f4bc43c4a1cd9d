"""The ``kommunal`` command: Django's management commands for this project.

``kommunal migrate_schemas``, ``kommunal load_municipalities``, ``kommunal runserver`` ... behave
exactly like ``python manage.py <command>`` from the repository root.
"""

import os
import sys


def main() -> None:
    """Run a management command with Kommunal's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kommunal", *sys.argv[1:]])


if __name__ == "__main__":
    main()

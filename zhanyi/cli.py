"""The ``zhanyi`` command.

Every subcommand is a Django management command owned by the app whose work it
is (``zhanyi demo`` lives in ``command``, ``zhanyi synth`` in ``core``), so
``zhanyi help`` lists them all and each has ``--help``.
"""

from __future__ import annotations

import os
import sys


def settings_problem() -> str | None:
    """Why the settings cannot be loaded, in one line, or None when they can."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading it loads the settings
    except ImproperlyConfigured as error:
        return (
            f"zhanyi: {error} To try zhanyi on this machine instead, run it with "
            "ZHANYI_DEBUG=1 (for example: ZHANYI_DEBUG=1 .venv/bin/zhanyi demo)."
        )
    return None


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanyi.settings")
    from django.core.management import execute_from_command_line

    if problem := settings_problem():
        # A newcomer's first run: one line on what to set, not a traceback.
        print(" ".join(problem.split()), file=sys.stderr)
        sys.exit(2)
    args = list(sys.argv if argv is None else argv)
    args[0] = "zhanyi"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

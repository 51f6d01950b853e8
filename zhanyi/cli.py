"""The ``zhanyi`` command.

Every subcommand is a Django management command owned by the app whose work it
is (``zhanyi demo`` lives in ``command``, ``zhanyi synth`` in ``core``), so
``zhanyi help`` lists them all and each has ``--help``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanyi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "zhanyi"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

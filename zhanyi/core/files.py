"""Files the application writes for people to download: whole or not at all.

An export (a push list's error file, a companions list) is written to a hidden
``.part`` file beside its place and renamed into place once complete and on
disk. When writing fails — a full disk above all — the part is removed, so no
truncated file is ever offered, and a full disk is said in words
(``DiskFullError``) rather than as ``[Errno 28]``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _


class DiskFullError(OSError):
    """The disk filled up while a file was written; nothing of it was kept."""

    def __str__(self) -> str:
        return str(self.strerror)  # the sentence alone, without "[Errno 28]"


def open_for_writing(path: Path, mode: str, **kwargs) -> IO:
    """The one place exports open a file to write (a test puts a full disk here)."""
    return open(path, mode, **kwargs)  # closed by write_whole


@contextlib.contextmanager
def write_whole(path: Path, mode: str = "wb", **kwargs) -> Iterator[IO]:
    """``with write_whole(path) as fh: …``: ``path`` holds all that was written, or
    does not change. Raises ``DiskFullError`` when the disk is full."""
    path = Path(path)
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open_for_writing(part, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, path)
    except OSError as error:
        part.unlink(missing_ok=True)
        if error.errno == errno.ENOSPC:
            raise DiskFullError(
                errno.ENOSPC,
                _("The disk is full: %(name)s was not written. Free some space and try again.")
                % {"name": path.name},
            ) from error
        raise
    except BaseException:
        part.unlink(missing_ok=True)
        raise

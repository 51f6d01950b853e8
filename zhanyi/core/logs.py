"""Structured logs: one JSON object per line (``ZHANYI_LOG_FORMAT=json``).

For a log collector (Loki, Elasticsearch, journald's JSON export): every record
carries ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``, the process id,
and ``exception`` with the traceback when there is one. Django's request errors add
``status`` and ``path`` (the path only: query strings may carry search terms).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

#: LogRecord attributes copied into the object when a logger sets them.
_EXTRA = ("status_code", "task_id", "job")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["path"] = request.path
            entry["method"] = getattr(request, "method", "")
        for name in _EXTRA:
            if hasattr(record, name):
                entry["status" if name == "status_code" else name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

"""Log output of ``schule serve``: uvicorn's text lines (default) or one JSON object per line.

``SCHULE_LOG_FORMAT=json`` is for log collectors (Loki, Elasticsearch, journald): every record of
every logger (schule's, uvicorn's server and access logs) becomes

    {"time": "2025-01-31T12:00:00.123+00:00", "level": "INFO", "logger": "uvicorn.access",
     "message": "127.0.0.1:50000 - \\"GET /healthz HTTP/1.1\\" 200", "client": "127.0.0.1:50000",
     "method": "GET", "path": "/healthz", "status": 200}

with ``exception`` (the formatted traceback) when there is one. Access records carry their parts
as fields; a multi-line message or traceback stays inside one JSON string, so one record is
always one line.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

ACCESS_LOGGER = "uvicorn.access"


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == ACCESS_LOGGER and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, _version, status = record.args
            entry.update(client=client, method=method, path=path, status=status)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def uvicorn_log_config(log_format: str) -> dict[str, Any] | None:
    """The ``log_config`` for ``uvicorn.run``: None keeps uvicorn's own (text) configuration."""
    if log_format != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JSONFormatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": "INFO"},
        "loggers": {
            # uvicorn's loggers log through the root handler; "propagate" instead of handlers of
            # their own, so that nothing is written twice
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            ACCESS_LOGGER: {"handlers": [], "level": "INFO", "propagate": True},
        },
    }

"""Structured JSON logs carrying the request id. Messages must never contain identifying data."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from threadline.core import context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = context.current()
        record.request_id = ctx.request_id if ctx else None
        record.user_id = ctx.user_id if ctx else None
        record.organisation_id = ctx.organisation_id if ctx else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
            "organisation_id": getattr(record, "organisation_id", None),
        }
        if record.exc_info:
            # The exception type and location only: exception messages can carry submitted values.
            exc_type = record.exc_info[0]
            payload["exception"] = exc_type.__name__ if exc_type else None
            tb = record.exc_info[2]
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None:
                payload["where"] = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        return json.dumps(payload, ensure_ascii=False)

"""What every prevention service shares: limits, the errors services raise, and date parsing."""

from __future__ import annotations

import logging
from datetime import date, datetime

logger = logging.getLogger(__name__)


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a tablet
CODE_LENGTH = 6
CODE_MINUTES = 90
CURRICULUM_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_ACKNOWLEDGE_HOURS = 4
DEFAULT_CLOSE_HOURS = 72


class PreventionError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class CurriculumRejected(PreventionError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_date(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None

"""Upload limits: a request-level handler that stops storing a file past the largest limit, and the per-area
size check that turns an oversized file into a form error.

Django streams uploads above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file but sets no size limit on
files. ``CappedUploadHandler`` keeps counting past the limit without storing more, so a 500 MB upload costs
no disk or memory, and the service refuses the (truncated) file with a clear message instead of a 500.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _


def largest_upload_bytes() -> int:
    return max(settings.ONLINE_UPLOAD_MAX_BYTES, settings.INSIGHTS_UPLOAD_MAX_BYTES)


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Stores at most ``largest_upload_bytes() + 1`` bytes of each file and records the size actually sent."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._limit = largest_upload_bytes()
        self._stored = 0

    def receive_data_chunk(self, raw_data, start):
        room = self._limit + 1 - self._stored
        if room > 0:
            part = raw_data[:room]
            self.file.write(part)
            self._stored += len(part)
        return None

    def file_complete(self, file_size):
        uploaded = super().file_complete(self._stored)
        uploaded.sent_size = file_size
        return uploaded


def upload_size(uploaded) -> int:
    """The number of bytes the client sent for ``uploaded`` (more than was stored when it went past the cap)."""
    return max(getattr(uploaded, "sent_size", 0) or 0, uploaded.size or 0)


def check_upload_size(uploaded, limit_bytes: int) -> None:
    """Refuse a file larger than ``limit_bytes`` with a message naming the file and the limit."""
    if upload_size(uploaded) > limit_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s MB, the largest file accepted here.")
            % {"name": uploaded.name, "limit": f"{limit_bytes / (1024 * 1024):g}"}
        )

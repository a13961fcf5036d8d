"""The Spark tests need no Django (the session fixture and the skip without Java are in ``tests/engines``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _encryption_keys():
    """Overrides the root autouse fixture: these tests need no keys, settings or Django."""
    yield

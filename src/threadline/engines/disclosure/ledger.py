"""Ledgers of what has left the organisation: published tables and spent privacy budget.

Both are JSON files, read and rewritten under an exclusive lock (``<path>.lock``) and replaced atomically
(temporary file in the same directory, fsync, ``os.replace``), so a crash never leaves half a ledger and
two concurrent releases cannot both spend the last of a budget. The ledgers hold only what was published
(values of published cells, keys of suppressed ones, epsilons): never an unpublished count.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORMAT = 1


class LedgerError(RuntimeError):
    """The ledger file is unreadable or inconsistent."""


class BudgetExceeded(RuntimeError):
    """A differentially private release would spend more than the dataset's total epsilon."""


class ReleaseRefused(RuntimeError):
    """A release that cannot be made safe against the earlier ones."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def atomic_write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as lock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - non-POSIX: atomic replace only
            yield
            return
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


class _JsonLedger:
    kind = "ledger"

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def _empty(self) -> dict[str, Any]:
        raise NotImplementedError

    def load(self) -> dict[str, Any]:
        if not self.path.exists():
            return self._empty()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise LedgerError(f"{self.kind} {self.path} is unreadable: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("kind") != self.kind:
            raise LedgerError(f"{self.path} is not a {self.kind} (format {FORMAT})")
        return data

    @contextlib.contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """Lock, load, let the caller change the data, write it back atomically (only on success)."""
        with _locked(self.path):
            data = self.load()
            yield data
            atomic_write_json(self.path, data)


class ReleaseLedger(_JsonLedger):
    """What has been published per dataset: grouping, categories, published values, suppressed keys."""

    kind = "release-ledger"

    def _empty(self) -> dict[str, Any]:
        return {"format": FORMAT, "kind": self.kind, "releases": []}

    def releases(self, dataset_id: str, version: str | None = None) -> list[dict[str, Any]]:
        return [
            r
            for r in self.load()["releases"]
            if r["dataset_id"] == dataset_id and (version is None or r["version"] == version)
        ]


class BudgetLedger(_JsonLedger):
    """Per-dataset privacy budget. The first use of a dataset fixes its total; a later, larger
    ``total_epsilon`` never raises it (the smaller of the stored and the given total applies)."""

    kind = "budget-ledger"

    def __init__(self, path: str | os.PathLike[str], total_epsilon: float):
        super().__init__(path)
        if not (math.isfinite(total_epsilon) and total_epsilon > 0):
            raise ValueError("total_epsilon must be a positive finite number")
        self.total_epsilon = float(total_epsilon)

    def _empty(self) -> dict[str, Any]:
        return {"format": FORMAT, "kind": self.kind, "datasets": {}}

    def _entry(self, data: dict[str, Any], dataset_id: str) -> dict[str, Any]:
        entry = data["datasets"].setdefault(dataset_id, {"total_epsilon": self.total_epsilon, "charges": []})
        entry["total_epsilon"] = min(float(entry["total_epsilon"]), self.total_epsilon)
        return entry

    def total(self, dataset_id: str) -> float:
        entry = self.load()["datasets"].get(dataset_id)
        return self.total_epsilon if entry is None else min(float(entry["total_epsilon"]), self.total_epsilon)

    def spent(self, dataset_id: str) -> float:
        entry = self.load()["datasets"].get(dataset_id)
        return 0.0 if entry is None else math.fsum(c["epsilon"] for c in entry["charges"])

    def remaining(self, dataset_id: str) -> float:
        return max(0.0, self.total(dataset_id) - self.spent(dataset_id))

    def charge(self, dataset_id: str, epsilon: float, what: str) -> float:
        """Record ``epsilon`` as spent, or raise :class:`BudgetExceeded` and record nothing.

        Returns the remaining budget. Call this *before* computing the noisy release, so that a crash
        after the noise is drawn can never yield an unrecorded release.
        """
        if not (math.isfinite(epsilon) and epsilon > 0):
            raise ValueError("epsilon must be a positive finite number")
        with self.transaction() as data:
            entry = self._entry(data, dataset_id)
            spent = math.fsum(c["epsilon"] for c in entry["charges"])
            if spent + epsilon > entry["total_epsilon"] + 1e-12:
                raise BudgetExceeded(
                    f"dataset {dataset_id!r}: spending {epsilon:g} would exceed the budget "
                    f"({spent:g} of {entry['total_epsilon']:g} already spent)"
                )
            entry["charges"].append({"epsilon": float(epsilon), "what": what, "at": _now()})
            return entry["total_epsilon"] - spent - epsilon

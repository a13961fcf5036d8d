"""Threadline's heavy engines on Apache Spark (optional extra: ``pip install 'threadline[spark]'``).

Public API:

- :func:`spark_session` - a session with safe local defaults (``local[2]``, no UI, loopback only);
- :func:`run_scan_spark` - the online scan (same inputs, options and workspace as ``run_scan``);
- :func:`link_spark` - insights record linkage: the linkage engine's own pipeline run by its Spark backend
  (`engines/spark/linkage.py` `SparkLinkageBackend`; also `link(store, backend="spark")`);
- :class:`SparkUnavailable` - raised when pyspark or Java is missing, with the install hint.

pyspark is imported only when one of these runs, so importing this package never needs it.
"""

from __future__ import annotations

from threadline.engines.spark.session import INSTALL_HINT, SparkUnavailable, spark_missing_reason, spark_session

__all__ = ["INSTALL_HINT", "SparkUnavailable", "link_spark", "run_scan_spark", "spark_missing_reason",
           "spark_session"]  # fmt: skip


def run_scan_spark(*args, **kwargs) -> dict:
    """See :func:`threadline.engines.spark.scan.run_scan_spark`."""
    from threadline.engines.spark.scan import run_scan_spark as _run

    return _run(*args, **kwargs)


def link_spark(*args, **kwargs):
    """See :func:`threadline.engines.spark.linkage.link_spark`."""
    from threadline.engines.spark.linkage import link_spark as _link

    return _link(*args, **kwargs)

"""Online identification engine: identifiers, indicators, networks and risk from online ads (no Django).

Entry points: :func:`threadline.engines.online.scan.run_scan`, :func:`threadline.engines.online.extract.normalize_query`
and :func:`threadline.engines.online.workspace.connect`. See ``docs/online-engine.md``.
"""

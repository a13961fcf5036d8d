"""Conventions kept by tests rather than memory: docs cover the CLI and settings, migrations are current."""

from __future__ import annotations

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import typer
from django.core.management import call_command

from threadline.cli import app

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "threadline"


def _command_paths(command, path):
    yield " ".join(path)
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _command_paths(sub, [*path, name])


def test_cli_reference_covers_every_command():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [p for p in _command_paths(typer.main.get_command(app), ["threadline"]) if f"## `{p}`" not in text]
    assert not missing, f"run `make docs`: docs/cli.md lacks {missing}"


def test_configuration_docs_cover_every_setting():
    names = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"\benv(?:_bool|_int)?\(\s*\"([A-Z_]+)\"", text))
        names |= set(re.findall(r"\"THREADLINE_([A-Z_]+)\"", text))
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if f"THREADLINE_{n}" not in documented)
    assert not missing, f"docs/configuration.md lacks: {missing}"


@pytest.mark.django_db
def test_migrations_are_up_to_date():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"models changed without migrations:\n{out.getvalue()}\n{exc}")


def test_engines_never_import_django():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pkgutil, importlib, threadline.engines as e\n"
            "for m in pkgutil.walk_packages(e.__path__, 'threadline.engines.'):\n"
            "    try:\n"
            "        importlib.import_module(m.name)\n"
            "    except ModuleNotFoundError as exc:\n"
            "        if exc.name != 'pyspark':\n"  # the optional Spark extra may be absent
            "            raise\n"
            "bad = [n for n in sys.modules if n == 'django' or n.startswith('django.')]\n"
            "print(bad); sys.exit(1 if bad else 0)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_translation_catalogues_are_complete_and_compiled():
    import polib

    for language in ("fr", "ar"):
        folder = SRC / "locale" / language / "LC_MESSAGES"
        po = polib.pofile(str(folder / "django.po"))
        untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
        assert not untranslated, (
            f"{language}: untranslated strings (make messages, then translate): {untranslated[:10]}"
        )
        compiled = {e.msgid: e.msgstr or e.msgstr_plural for e in polib.mofile(str(folder / "django.mo"))}
        stale = [e.msgid for e in po if e.translated() and e.msgid not in compiled]
        assert not stale, f"{language}: django.mo is older than django.po (make messages): {stale[:10]}"


def test_class_level_messages_are_lazy():
    """A message set on a class is built once, at import, in the start-up language; it must be lazy so a French
    or Arabic user reads it in their language (`gettext_lazy`, not an eager `_` bound to `gettext`)."""
    import ast

    eager_at_class_level = []
    for path in SRC.rglob("*.py"):
        if "engines" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        eager = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "django.utils.translation"
            and any(alias.name == "gettext" and alias.asname == "_" for alias in node.names)
            for node in tree.body
        )
        if not eager:
            continue
        for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
            for statement in cls.body:
                if isinstance(statement, ast.Assign | ast.AnnAssign) and any(
                    isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_"
                    for call in ast.walk(statement)
                ):
                    eager_at_class_level.append(f"{path.relative_to(ROOT)}:{statement.lineno}")
    assert not eager_at_class_level, f"use gettext_lazy for class attributes: {eager_at_class_level}"

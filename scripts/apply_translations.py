"""Merge translations from a Python mapping into a .po catalogue (keeps existing ones unless --overwrite).

    python scripts/apply_translations.py src/threadline/locale/fr/LC_MESSAGES/django.po translations.py FR

The mapping's keys are msgids (or (msgid, msgid_plural) tuples whose values are lists of plural forms).
"""

from __future__ import annotations

import runpy
import sys

import polib


def main(po_path: str, mapping_path: str, name: str, overwrite: bool = False) -> None:
    mapping = runpy.run_path(mapping_path)[name]
    po = polib.pofile(po_path)
    filled = 0
    for entry in po:
        key = (entry.msgid, entry.msgid_plural) if entry.msgid_plural else entry.msgid
        if key not in mapping or (entry.translated() and not overwrite and "fuzzy" not in entry.flags):
            continue
        value = mapping[key]
        if entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(value))
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
    po.save(po_path)
    missing = [e.msgid for e in po if not e.translated()]
    print(f"{po_path}: {filled} filled, {len(missing)} untranslated")


if __name__ == "__main__":
    main(*sys.argv[1:4], overwrite="--overwrite" in sys.argv)

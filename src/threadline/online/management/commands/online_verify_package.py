"""``threadline manage online_verify_package FILE``: check an evidence package ZIP against its manifest.

Exit status 0 when every file matches its SHA-256, 1 otherwise (each problem printed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Verify an evidence package ZIP against the SHA-256 of every file in its manifest."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        from threadline.online.packages import package_verify

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError("No such file.")
        result = package_verify(path)
        self.stdout.write(f"package {result.package_id or '?'}  network {result.network_id or '?'}")
        self.stdout.write(f"sha256 {result.sha256}")
        if result.ok:
            self.stdout.write(f"intact: {result.checked} files match the manifest")
            return
        for problem in result.problems:
            self.stdout.write(f"problem: {problem}")
        sys.exit(1)

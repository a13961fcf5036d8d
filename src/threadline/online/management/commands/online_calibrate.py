"""``threadline manage online_calibrate --investigation ID``: precision at k of the ranking and proposed weights.

Prints how the risk score ranks the networks reviewers labelled and the weights the labels suggest. With
``--propose`` it records the proposal for an analyst to accept or reject in the web app; nothing changes the
ranking until an analyst accepts.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Precision at k of the risk ranking over labelled networks, and weight changes proposed from labels."

    def add_arguments(self, parser):
        parser.add_argument("--investigation", type=int, required=True)
        parser.add_argument("--propose", action="store_true", help="record the proposal for an analyst to decide")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **options):
        from threadline.online import selectors
        from threadline.online.models import Investigation, WeightProposal

        investigation = Investigation.objects.filter(pk=options["investigation"]).first()
        if investigation is None:
            raise CommandError("No investigation with that id.")
        report = selectors.calibration_report(investigation=investigation)
        proposal = selectors.calibration_propose(investigation=investigation)
        out = {
            "investigation": investigation.pk,
            "labelled": report["n_labelled"],
            "relevant": report["n_relevant"],
            "precision_at_k": report["precision"],
            "proposal": proposal,
        }
        if proposal and options["propose"]:
            record = WeightProposal.objects.create(
                organisation=investigation.organisation,
                investigation=investigation,
                weights=proposal["weights"],
                metrics=proposal["metrics"],
            )
            out["proposal_id"] = record.pk
        if options["json"]:
            self.stdout.write(json.dumps(out, indent=2))
            return
        self.stdout.write(f"Labelled networks: {out['labelled']} ({out['relevant']} relevant)")
        for k, v in report["precision"].items():
            self.stdout.write(f"  precision at {k}: {'-' if v is None else v}")
        if proposal is None:
            self.stdout.write("No proposal: label networks both relevant and not relevant first.")
            return
        self.stdout.write("Proposed weights (not applied until an analyst accepts them in the web app):")
        for name, weight in proposal["weights"].items():
            mark = " *" if name in proposal["metrics"]["changed"] else ""
            self.stdout.write(f"  {name}: {weight}{mark}")
        self.stdout.write(f"  precision at k after: {proposal['metrics']['after']}")
        if "proposal_id" in out:
            self.stdout.write(f"Recorded as proposal {out['proposal_id']}.")

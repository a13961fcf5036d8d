"""Evidence packages (ZIP with a SHA-256 manifest and a chain-of-custody log) and partner signals (HMAC).

A package holds the network's ads as captured, the extracted identifiers, the indicator evidence, the review
notes and decisions, an HTML and a PDF summary, and ``manifest.json`` listing the SHA-256 of every other file.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from threadline.audit.services import audit_record
from threadline.engines import archives, csvsafe
from threadline.engines.online import workspace as ws_mod
from threadline.online.models import CustodyEvent, EvidencePackage, Investigation, NetworkReview, ReviewNote

MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 16 * 1024 * 1024
ARCHIVE_REFUSED = gettext_lazy(
    "This ZIP file is refused: it has too many files, unpacks to too much or is compressed like a decompression bomb."
)
ENTITY_COLUMNS = ["ad_id", "kind", "value", "raw", "field", "start", "end", "obfuscated"]
PDF_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _json_default(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csvsafe.dict_writer(buf, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buf.getvalue().encode("utf-8")


def _pdf_summary(context: dict) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    if PDF_FONT.exists():
        pdf.add_font("DejaVu", "", str(PDF_FONT))
        font = "DejaVu"
    else:  # latin-1 core font: replace what it cannot draw
        font = "Helvetica"

    def text(value: str) -> str:
        return value if font == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")

    def line(value: str, size: int = 10, height: float = 5) -> None:
        pdf.set_font(font, size=size)
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    network = context["network"]
    line(_("Evidence package: network %(id)s") % {"id": network["network_id"]}, 15, 8)
    line(_("Investigation: %(title)s") % {"title": context["investigation"].title})
    line(_("Created %(at)s by %(by)s") % {"at": context["created_at"], "by": context["created_by"]})
    line(_("Indicators found are for human review; they are not a verdict."))
    pdf.ln(3)
    line(_("Risk score %(score)s (prioritisation aid)") % {"score": network.get("risk_score")}, 12, 6)
    for item in context["explanation"]:
        line(f"  +{item['points']}  {item['label']} ({item['value']})")
    pdf.ln(2)
    line(_("%(ads)s ads, %(cities)s cities, %(sites)s sites, %(phones)s phones")
         % {"ads": network.get("n_ads"), "cities": network.get("n_cities"), "sites": network.get("n_sites"),
            "phones": network.get("n_phones")}, 11, 6)  # fmt: skip
    line(_("First seen %(first)s, last seen %(last)s") % {"first": network.get("first_seen"),
                                                          "last": network.get("last_seen")})  # fmt: skip
    pdf.ln(2)
    line(_("Review decisions"), 12, 6)
    review = context["review"]
    if review and review.label:
        line(_("Label: %(label)s by %(by)s") % {"label": review.get_label_display(), "by": review.labelled_by})
        if review.confirmed_by:
            line(_("Confirmed by %(by)s") % {"by": review.confirmed_by})
    else:
        line(_("Not labelled."))
    for note in context["notes"]:
        line(f"- {note.created_at:%Y-%m-%d %H:%M} {note.author}: {note.text}")
    pdf.ln(2)
    line(_("Ads (%(n)s)") % {"n": len(context["ads"])}, 12, 6)
    for ad in context["ads"][:200]:
        line(f"{ad.get('posted_at')}  {ad.get('site') or ''}  {ad.get('city') or ''}  {ad.get('url') or ''}", 8, 4)
    return bytes(pdf.output())


@transaction.atomic
def package_create(*, investigation: Investigation, network_id: str, user) -> EvidencePackage:
    from threadline.online.selectors import investigation_workspace
    from threadline.online.services import investigation_dir

    ws = investigation_workspace(investigation)
    network = ws_mod.network_get(ws, network_id) if ws else None
    if network is None:
        raise ValueError("network not in the current workspace")
    ads = ws_mod.network_ads(ws, network_id, limit=100_000, every_column=True)
    entities = ws_mod.network_entities(ws, network_id)
    indicators = ws_mod.network_indicators(ws, network_id)
    review = NetworkReview.objects.filter(investigation=investigation, network_id=network_id).first()
    notes = list(ReviewNote.objects.filter(investigation=investigation, network_id=network_id).select_related("author"))
    from threadline.online.models import AdLabel

    ad_labels = list(AdLabel.objects.filter(investigation=investigation, network_id=network_id))
    created_at = timezone.now()
    explanation = ws_mod.explain(network, investigation.risk_weights)
    context = {
        "investigation": investigation, "network": network, "ads": ads, "indicators": indicators,
        "entities": entities, "review": review, "notes": notes, "ad_labels": ad_labels,
        "explanation": explanation, "created_at": created_at.isoformat(timespec="seconds"), "created_by": user.email,
    }  # fmt: skip
    decisions = {
        "network_id": network_id,
        "label": review.label if review else "",
        "labelled_by": getattr(review.labelled_by, "email", "") if review else "",
        "labelled_at": review.labelled_at if review else None,
        "confirmed_by": getattr(review.confirmed_by, "email", "") if review else "",
        "confirmed_at": review.confirmed_at if review else None,
        "assigned_to": getattr(review.assigned_to, "email", "") if review else "",
        "ad_labels": [
            {"ad_id": a.ad_id, "label": a.label, "by": getattr(a.labelled_by, "email", "")} for a in ad_labels
        ],
        "notes": [{"at": n.created_at, "by": getattr(n.author, "email", ""), "ad_id": n.ad_id, "text": n.text}
                  for n in notes],
    }  # fmt: skip
    network_out = {k: v for k, v in network.items() if k != "risk_explanation"}
    network_out["risk_explanation"] = explanation
    files: dict[str, bytes] = {
        "ads.jsonl": "".join(json.dumps(a, default=_json_default, ensure_ascii=False) + "\n" for a in ads).encode(),
        "identifiers.csv": _csv_bytes(entities, ENTITY_COLUMNS),
        "indicators.csv": _csv_bytes(indicators, ["ad_id", "category", "language", "weight", "matched", "field",
                                                  "start", "end", "pattern"]),
        "network.json": json.dumps(network_out, default=_json_default, indent=2, ensure_ascii=False).encode(),
        "review.json": json.dumps(decisions, default=_json_default, indent=2, ensure_ascii=False).encode(),
        "summary.html": render_to_string("online/package_summary.html", context).encode(),
        "summary.pdf": _pdf_summary(context),
    }  # fmt: skip
    package = EvidencePackage(organisation=investigation.organisation, investigation=investigation,
                              network_id=network_id, created_by=user)  # fmt: skip
    files["custody.json"] = json.dumps(
        [{"action": "created", "by": user.email, "at": created_at.isoformat(), "package": str(package.pk)}], indent=2
    ).encode()
    manifest = {
        "package": str(package.pk),
        "investigation": investigation.pk,
        "network_id": network_id,
        "created_at": created_at.isoformat(),
        "created_by": user.email,
        "algorithm": "sha256",
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    target_dir = investigation_dir(investigation) / "packages"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{package.pk}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2))
    package.path = str(target)
    package.sha256 = hashlib.sha256(target.read_bytes()).hexdigest()
    package.size = target.stat().st_size
    package.n_files = len(files) + 1
    package.save()
    custody_record(package=package, action=CustodyEvent.Action.CREATED, user=user)
    return package


CUSTODY_AUDIT_ACTIONS = {"created": "create", "viewed": "view", "exported": "export", "verified": "run"}


def custody_record(*, package: EvidencePackage, action: str, user, detail: str = "") -> CustodyEvent:
    event = CustodyEvent.objects.create(
        organisation=package.organisation, package=package, action=action, actor=user, detail=detail[:200]
    )
    audit_record(
        action=CUSTODY_AUDIT_ACTIONS[action],
        object_type="online.evidencepackage",
        object_id=str(package.pk),
        note=f"custody: {action}",
        organisation_id=package.organisation_id,
    )
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    package_id: str = ""
    network_id: str = ""
    sha256: str = ""


def package_verify(source) -> VerifyResult:
    """Check every file of a package ZIP against its manifest (a path or a seekable binary file object).

    The ZIP is read as a stream and refused before unpacking when it has too many files, unpacks to too much or
    is compressed like a decompression bomb (``engines/archives.py`` limits)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            return _verify_stream(fh)
    source.seek(0)
    return _verify_stream(source)


def _verify_stream(fh) -> VerifyResult:
    digest = hashlib.sha256()
    while chunk := fh.read(1 << 20):
        digest.update(chunk)
    sha256 = digest.hexdigest()
    fh.seek(0)
    try:
        zf = archives.open_zip(fh)
    except archives.ArchiveRefused:
        return VerifyResult(False, problems=[ARCHIVE_REFUSED], sha256=sha256)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return VerifyResult(False, problems=[_("This is not a ZIP file.")], sha256=sha256)
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return VerifyResult(False, problems=[_("The package has no manifest.")], sha256=sha256)
        try:
            if zf.getinfo(MANIFEST).file_size > MANIFEST_MAX_BYTES:
                raise ValueError("manifest too large")
            manifest = json.loads(zf.read(MANIFEST))
            listed = {item["name"]: item for item in manifest["files"]}
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile, OSError, RecursionError):
            return VerifyResult(False, problems=[_("The manifest cannot be read.")], sha256=sha256)
        problems = []
        for name, item in sorted(listed.items()):
            if name not in names:
                problems.append(_("%(name)s is missing.") % {"name": name})
                continue
            try:
                member = hashlib.sha256()
                for chunk in archives.iter_member(zf, name):
                    member.update(chunk)
                matches = member.hexdigest() == item.get("sha256")
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
                matches = False
            if not matches:
                problems.append(_("%(name)s does not match its SHA-256 in the manifest.") % {"name": name})
        for name in sorted(names - set(listed) - {MANIFEST}):
            problems.append(_("%(name)s is not listed in the manifest.") % {"name": name})
    return VerifyResult(not problems, len(listed), problems, str(manifest.get("package", "")),
                        str(manifest.get("network_id", "")), sha256)  # fmt: skip


# ---------------------------------------------------------------------------------------------- partner signals
SIGNAL_KINDS = ("phone", "email", "handle")


def signal_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of the normalised identifier: a partner with the same key gets the same hash."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def signals_export(*, investigation: Investigation, network_ids: list[str], key: bytes, user) -> bytes:
    """CSV of keyed hashes of the networks' normalised identifiers; no raw identifier leaves. Audited."""
    from threadline.online.selectors import investigation_workspace

    if len(key) < 16:
        raise ValueError("key too short")
    ws = investigation_workspace(investigation)
    rows = ws_mod.identifiers_of(ws, network_ids, SIGNAL_KINDS) if ws else []
    buf = io.StringIO()
    writer = csvsafe.writer(buf)
    writer.writerow(["kind", "hmac_sha256"])
    for row in rows:
        writer.writerow([row["kind"], signal_hash(key, row["kind"], row["value"])])
    audit_record(action="export", object_type="online.investigation", object_id=str(investigation.pk),
                 note=f"partner signals: {len(rows)} keyed hashes",
                 organisation_id=investigation.organisation_id)  # fmt: skip
    return buf.getvalue().encode()

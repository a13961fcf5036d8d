"""Exports. The person's own record (GDPR Art. 15) as JSON and PDF in an AES-encrypted zip; and the
non-identifying CSV/Excel export for data officers (the same rows as the statistics feed)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pyzipper
from django.utils import timezone

from threadline.cases.models import (
    ACCESS_EXPORT_FIELDS,
    Approval,
    Case,
    ChildView,
    Consent,
    PlanTask,
    Referral,
    Service,
)
from threadline.cases.selectors import STATISTICS_COLUMNS, case_statistics_rows
from threadline.engines import csvsafe


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def access_record(*, case: Case) -> dict:
    """Everything this organisation holds about the person, readable by them (labels in the current language)."""

    def row(obj, names):
        out = {}
        for name in names:
            display = getattr(obj, f"get_{name}_display", None)
            out[name] = display() if callable(display) else _plain(getattr(obj, name))
        return out

    record = {
        "organisation": case.organisation.name,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "case": row(case, ACCESS_EXPORT_FIELDS),
        "means_of_control": list(case.means_of_control),
        "other_exploitation": list(case.other_exploitation),
        "views_and_wishes": [
            row(cv, ["recorded_on", "topic", "text"])
            for cv in ChildView.objects.filter(case=case).order_by("recorded_on")
        ],
        "consents": [
            {
                **row(c, ["scope", "granted", "given_by", "informed_on", "method", "language", "revoked_on"]),
                "organisation": c.partner.name if c.partner_id else "",
                "shares": list(c.shares),
            }
            for c in Consent.objects.filter(case=case).select_related("partner").order_by("informed_on")
        ],
        "needs": list(case.assessment.needs) if hasattr(case, "assessment") else [],
        "assessment_notes": case.assessment.summary if hasattr(case, "assessment") else "",
        "services": [
            row(s, ["kind", "provider", "start_on", "end_on", "status", "outcome"])
            for s in Service.objects.filter(case=case).order_by("start_on")
        ],
        "plan": [
            row(t, ["goal", "task", "due_on", "follow_up_on", "done_on"])
            for t in PlanTask.objects.filter(case=case).order_by("due_on")
        ],
        "approvals": [
            row(a, ["subject", "decision", "requested_at", "decided_at", "decision_note"])
            for a in Approval.objects.filter(case=case).order_by("requested_at")
        ],
        "referrals": [
            {
                **row(r, ["kind", "status", "created_at", "reason", "response_reason", "consent_override"]),
                "to": r.to_organisation.name,
                "shared": r.shared.get("parts", []),
            }
            for r in Referral.objects.filter(case=case).select_related("to_organisation").order_by("created_at")
        ],
    }
    if hasattr(case, "cooperation"):
        record["cooperation"] = row(case.cooperation, ["stance", "authority", "proceedings", "notes", "updated_on"])
    return record


def _pdf(record: dict) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    font = _unicode_font()
    if font:
        pdf.add_font("body", "", font)
        pdf.set_font("body", size=10)
    else:
        pdf.set_font("helvetica", size=10)

    def text(value) -> str:
        out = "" if value is None else str(value)
        return out if font else out.encode("latin-1", "replace").decode("latin-1")

    def line(label, value="", size=10):
        pdf.set_font_size(size)
        pdf.multi_cell(0, 6, text(f"{label}: {value}" if value != "" else label), new_x="LMARGIN", new_y="NEXT")

    line(f"Record held by {record['organisation']}", size=14)
    line("Exported", record["exported_at"])
    pdf.ln(2)
    for name, value in record["case"].items():
        line(name.replace("_", " ").capitalize(), value if value not in (None, "") else "-")
    for section in ("views_and_wishes", "consents", "services", "plan", "approvals", "referrals"):
        pdf.ln(3)
        line(section.replace("_", " ").capitalize(), size=12)
        items = record.get(section) or []
        if not items:
            line("-")
        for item in items:
            line("; ".join(f"{k}: {v}" for k, v in item.items() if v not in (None, "", [])))
    if record.get("cooperation"):
        pdf.ln(3)
        line("Cooperation with police and courts", size=12)
        line("; ".join(f"{k}: {v}" for k, v in record["cooperation"].items() if v not in (None, "")))
    return bytes(pdf.output())


def _unicode_font() -> str | None:
    """A system TrueType font with wide script coverage, if one is installed (names may be in any script)."""
    from pathlib import Path

    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ):
        if Path(candidate).exists():
            return candidate
    return None


def access_export_zip(*, case: Case, password: str) -> bytes:
    """The person's record as ``record.json`` and ``record.pdf`` inside an AES-256 encrypted zip."""
    record = access_record(case=case)
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password.encode())
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        zf.writestr("record.json", json.dumps(record, ensure_ascii=False, indent=2, default=str))
        zf.writestr("record.pdf", _pdf(record))
    return buffer.getvalue()


def statistics_csv(*, organisation) -> bytes:
    out = io.StringIO()
    writer = csvsafe.dict_writer(out, fieldnames=STATISTICS_COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    for row in case_statistics_rows(organisation=organisation):
        writer.writerow(row)
    return out.getvalue().encode()


def statistics_xlsx(*, organisation) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(STATISTICS_COLUMNS)
    for row in case_statistics_rows(organisation=organisation):
        sheet.append([row[name] for name in STATISTICS_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _canonical(row: dict) -> dict:
    """A statistics row with its "Unknown" cells as missing, as the insights schema holds them."""
    return {name: (None if value == "Unknown" else value) for name, value in row.items()}


def _identities(*, organisation, partner, case_ids: list[int]) -> dict[int, dict[str, str]]:
    """Identity cells for the cases whose sharing consent with ``partner`` in force includes identity."""
    from threadline.cases import consent_rules

    records: dict[int, list[Consent]] = {}
    for record in Consent.objects.filter(
        case__organisation=organisation, case_id__in=case_ids, scope=Consent.Scope.SHARING, partner=partner
    ).only("id", "case_id", "scope", "partner_id", "shares", "granted", "informed_on", "revoked_on"):
        records.setdefault(record.case_id, []).append(record)
    allowed = [
        case_id
        for case_id, items in records.items()
        if consent_rules.SHARE_IDENTITY in consent_rules.shares_allowed(items, partner.pk)
    ]
    out = {}
    for case in Case.objects.filter(pk__in=allowed).only("id", "full_name", "date_of_birth"):
        first, _, second = (case.full_name or "").strip().partition(" ")
        out[case.pk] = {"prs_FirstName": first, "prs_SecondName": second.strip(), "prs_Birthdate": case.date_of_birth}
    return out


def htcds_export(*, organisation, user, partner=None, spreadsheet: bool = False) -> bytes:
    """HTCDS 2.0 rows (CSV, or the official Excel template's layout) of the cases whose person agreed to
    non-identifying statistics, for a partner that takes HTCDS.

    Identities (``prs_FirstName``, ``prs_SecondName``, ``prs_Birthdate``) are written only when a ``partner``
    is named, only for cases whose sharing consent with that partner in force includes identity, and only
    when ``user`` may identify cases (``cases.identify_case``, which data officers do not hold); otherwise
    the identity columns are left out altogether. Forced adoption and surrogacy, which the insights schema
    counts as other exploitation, keep their HTCDS value names.
    """
    import tempfile
    from pathlib import Path

    from threadline.cases.selectors import _statistics_case_ids
    from threadline.core.permissions import has_perm
    from threadline.engines.insights.htcds_export import htcds_row, write_htcds

    with_identity = partner is not None and has_perm(user, "cases.identify_case", organisation)
    case_ids = sorted(_statistics_case_ids(organisation))  # the statistics rows stream in case-id order
    identities = _identities(organisation=organisation, partner=partner, case_ids=case_ids) if with_identity else {}

    def rows():
        for case_id, row in zip(case_ids, case_statistics_rows(organisation=organisation), strict=True):
            out = htcds_row(_canonical(row))
            extra = [
                name
                for flag, name in (("isIllegalAdoption", "ForcedAdoption"), ("isExploitationOfSurrogacy", "Surrogacy"))
                if row.get(flag) == 1
            ]
            out["vic_TypeOfExploitation"] = ";".join(filter(None, [out["vic_TypeOfExploitation"], *extra]))
            out.update(identities.get(case_id, {}))
            yield out

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("cases.xlsx" if spreadsheet else "cases.csv")
        write_htcds(rows(), path, spreadsheet=spreadsheet, identities=with_identity)
        return path.read_bytes()

"""Evidence packages: contents, manifest, verification, chain of custody; partner signals."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from threadline.engines.online import workspace as ws_mod
from threadline.online import packages, services

pytestmark = pytest.mark.django_db


def test_package_holds_everything_and_verifies(investigation, analyst, colleague, top, tmp_path):
    nid = top["network_id"]
    services.network_label(investigation=investigation, network_id=nid, label="likely_trafficking", user=analyst)
    services.network_confirm(investigation=investigation, network_id=nid, user=colleague)
    services.note_add(investigation=investigation, network_id=nid, text="Referred to police unit.", user=analyst)
    package = packages.package_create(investigation=investigation, network_id=nid, user=analyst)
    with zipfile.ZipFile(package.path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        review = json.loads(zf.read("review.json"))
        ads = [json.loads(line) for line in zf.read("ads.jsonl").decode().splitlines()]
        assert zf.read("summary.pdf").startswith(b"%PDF")
        assert b"<html" in zf.read("summary.html")
    assert {"ads.jsonl", "identifiers.csv", "indicators.csv", "review.json", "network.json", "summary.html",
            "summary.pdf", "custody.json", "manifest.json"} <= names  # fmt: skip
    assert {f["name"] for f in manifest["files"]} == names - {"manifest.json"}
    assert review["label"] == "likely_trafficking" and review["confirmed_by"] == colleague.email
    assert review["notes"][0]["text"] == "Referred to police unit."
    assert len(ads) == top["n_ads"]
    assert package.custody.get().action == "created"

    result = packages.package_verify(package.path)
    assert result.ok and result.checked == len(names) - 1 and result.network_id == nid

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package.path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"likely_trafficking", b"not_relevant") if name == "review.json" else data)
    bad = packages.package_verify(tampered)
    assert not bad.ok and any("review.json" in p for p in bad.problems)

    call_command("online_verify_package", package.path, stdout=io.StringIO())
    with pytest.raises(SystemExit) as exc:
        call_command("online_verify_package", str(tampered), stdout=io.StringIO())
    assert exc.value.code == 1


def test_pages_record_custody_when_viewed_exported_and_verified(investigation, analyst, signed_in, org, top):
    client = signed_in(analyst, org)
    response = client.post(reverse("online:package_create", args=[investigation.pk, top["network_id"]]))
    package = investigation.packages.get()
    assert response["Location"] == reverse("online:package", args=[package.pk])
    client.get(reverse("online:package", args=[package.pk]))
    download = client.get(reverse("online:package_download", args=[package.pk]))
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == package.sha256
    upload = io.BytesIO(data)
    upload.name = "package.zip"
    verified = client.post(reverse("online:package_verify"), {"package": upload})
    assert verified.context["result"].ok and verified.context["known"] == package
    actions = list(package.custody.values_list("action", flat=True))
    assert actions == ["created", "viewed", "exported", "verified"]
    assert all(e.actor == analyst for e in package.custody.all())


def test_partner_signals_match_a_partner_with_the_same_key(investigation, analyst, ws, top, signed_in, org):
    nid = top["network_id"]
    services.network_label(investigation=investigation, network_id=nid, label="likely_trafficking", user=analyst)
    key = b"shared-secret-agreed-offline"
    data = packages.signals_export(investigation=investigation, network_ids=[nid], key=key, user=analyst).decode()
    network = ws_mod.network_get(ws, nid)
    partner = {hmac.new(key, f"phone:{p}".encode(), hashlib.sha256).hexdigest() for p in network["phones"]}
    shared = {line.split(",")[1] for line in data.splitlines()[1:]}
    assert partner and partner <= shared
    for phone in network["phones"]:
        assert phone not in data
    client = signed_in(analyst, org)
    response = client.post(reverse("online:signals", args=[investigation.pk]),
                           {"key": key.decode(), "scope": "relevant"})  # fmt: skip
    assert response["Content-Type"].startswith("text/csv") and response.content.decode() == data

"""The published OpenAPI document describes what the API really takes and returns.

Each scenario drives one area's endpoints as a client would, through ``ContractClient``: every request body,
query parameter and successful response is validated against the generated document. Every documented
operation must be driven by the scenario that owns its path, so a new endpoint needs a scenario step here.
"""

from __future__ import annotations

import functools

import pytest

from tests.cases import factories as f
from tests.online import helpers as online
from tests.openapi_contract import Contract, ContractClient, untyped_properties
from tests.screening import factories as screening

API = "/api/v1"


@functools.cache
def _document() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def contract_client(api_client):
    def make(user, org) -> ContractClient:
        return ContractClient(api_client(user, org), Contract(_document()))

    return make


def _accounts(org, make_user, client):
    admin = make_user(org, "administrator")
    api = client(admin, org)
    api.get(f"{API}/organisations/")
    api.get(f"{API}/organisations/{org.pk}/")
    invited = api.post(
        f"{API}/members/",
        {"email": "contract@agency.example", "role": "caseworker", "password": "a-long-enough-passphrase"},
        expect=202,  # an invitation the account holder accepts, whether or not the address has an account
    ).json()
    assert invited["status"] == "pending"
    colleague = make_user(org, "caseworker")
    members = api.get(f"{API}/members/?limit=50&offset=0").json()["results"]
    member = next(m for m in members if m["email"] == colleague.email)
    api.get(f"{API}/members/{member['id']}/")
    api.patch(f"{API}/members/{member['id']}/", {"role": "supervisor", "is_active": True})
    return api


def _audit(org, make_user, client):
    auditor = make_user(org, "auditor")
    api = client(auditor, org)
    entries = api.get(f"{API}/audit/").json()["results"]
    api.get(f"{API}/audit/{entries[0]['id']}/")
    return api


def _screenings(org, make_user, client):
    api = client(make_user(org, "caseworker"), org)
    created = api.post(
        f"{API}/screenings/",
        {"instrument": screening.CHILD_SEXUAL, "age_group": "child", "answers": screening.PRESUMED_CHILD_ANSWERS},
    ).json()
    api.get(f"{API}/screenings/")
    api.get(f"{API}/screenings/{created['id']}/")
    return api


def _cases(org, make_user, client):
    worker = make_user(org, "caseworker")
    api = client(worker, org)
    case = api.post(
        f"{API}/cases/",
        {"child_status": "child", "exploitation": "forced_labour", "other_exploitation": ["begging"],
         "means_of_control": ["Threats"], "citizenship": "GB"},
    ).json()  # fmt: skip
    api.get(f"{API}/cases/?status=open&child_status=child&exploitation=forced_labour&q={case['code']}")
    api.get(f"{API}/cases/{case['id']}/")
    api.get(f"{API}/cases/{case['id']}/cooperation/")
    api.put(f"{API}/cases/{case['id']}/cooperation/", {"stance": "considering", "notes": "Talks next week"})
    api.put(f"{API}/cases/{case['id']}/cooperation/", {"stance": "declined"})

    consent = api.post(
        f"{API}/consents/",
        {"case": case["id"], "scope": "services", "informed_on": "2026-01-05", "language": "English"},
    ).json()
    api.get(f"{API}/consents/")
    api.get(f"{API}/consents/{consent['id']}/")
    service = api.post(f"{API}/case-services/", {"case": case["id"], "kind": "shelter", "provider": "Demo"}).json()
    api.get(f"{API}/case-services/")
    api.get(f"{API}/case-services/{service['id']}/")
    api.post(f"{API}/consents/{consent['id']}/revoke/", {"note": "changed their mind"}, expect=200)

    partner = f.new_org()
    f.partners(org, partner)
    api.post(
        f"{API}/consents/",
        {"case": case["id"], "scope": "sharing", "partner": partner.pk, "shares": ["summary"],
         "informed_on": "2026-01-05", "language": "English"},
    )  # fmt: skip
    referral = api.post(
        f"{API}/referrals/",
        {"case": case["id"], "to_organisation": partner.pk, "reason": "Shelter", "services": ["shelter"],
         "shares": ["summary"]},
    ).json()  # fmt: skip
    api.get(f"{API}/referrals/")
    api.get(f"{API}/referrals/{referral['id']}/")

    incoming = f.incoming_referral(org)
    supervisor = client(make_user(org, "supervisor"), org)
    supervisor.get(f"{API}/incoming-referrals/")
    supervisor.get(f"{API}/incoming-referrals/{incoming.pk}/")
    supervisor.post(f"{API}/incoming-referrals/{incoming.pk}/answer/", {"decision": "accept"}, expect=200)
    api.seen |= supervisor.seen

    admin = client(make_user(org, "administrator"), org)
    added = admin.post(f"{API}/referral-partners/", {"partner": f.new_org().pk}).json()
    admin.get(f"{API}/referral-partners/")
    admin.get(f"{API}/referral-partners/{added['id']}/")
    admin.delete(f"{API}/referral-partners/{added['id']}/")
    api.seen |= admin.seen
    return api


def _online(org, make_user, client):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    analyst = make_user(org, "online_analyst")
    api = client(analyst, org)
    created = api.post(f"{API}/online/investigations/", {"title": "Sweep", "description": "Test"}).json()
    api.get(f"{API}/online/investigations/{created['id']}/")
    api.get(f"{API}/online/investigations/{created['id']}/networks/")  # not scanned yet: empty
    inputs = f"{API}/online/investigations/{created['id']}/inputs/"
    upload = SimpleUploadedFile("ads.jsonl", online.corpus().read_bytes()[:4000].rsplit(b"\n", 1)[0] + b"\n")
    api.post(inputs, {"file": upload}, multipart=True)
    settings.ONLINE_IMPORT_ROOTS = [str(online.corpus().parent)]
    api.post(inputs, {"path": str(online.corpus())})
    api.get(inputs)
    scan = api.post(f"{API}/online/investigations/{created['id']}/scan/", None, expect=202).json()
    api.get(f"{API}/online/scans/")
    api.get(f"{API}/online/scans/{scan['id']}/")
    inv = online.make_investigation(org, analyst)
    api.get(f"{API}/online/investigations/")
    api.get(f"{API}/online/investigations/{inv.pk}/")
    network = online.top_network()["network_id"]
    api.get(f"{API}/online/investigations/{inv.pk}/networks/?min_ads=2&limit=5&offset=0&review=")
    api.get(f"{API}/online/investigations/{inv.pk}/networks/?q={network}")
    label = api.post(
        f"{API}/online/labels/", {"investigation": inv.pk, "network_id": network, "label": "needs_info"}
    ).json()
    api.get(f"{API}/online/labels/?investigation={inv.pk}")
    api.get(f"{API}/online/labels/{label['id']}/")
    api.patch(f"{API}/online/labels/{label['id']}/", {"label": "likely_trafficking"})
    notice = api.post(
        f"{API}/online/notices/",
        {"investigation": inv.pk, "network_id": network, "platform": "citylist.example", "reason": "Review"},
    ).json()
    api.get(f"{API}/online/notices/")
    api.get(f"{API}/online/notices/{notice['id']}/")
    api.patch(f"{API}/online/notices/{notice['id']}/", {"status": "sent", "at": "2026-02-01T10:00:00Z"})
    package = api.post(f"{API}/online/packages/", {"investigation": inv.pk, "network_id": network}).json()
    api.get(f"{API}/online/packages/")
    api.get(f"{API}/online/packages/{package['id']}/")
    api.get(f"{API}/online/packages/{package['id']}/download/")
    return api


def _prevention(org, make_user, client):
    from tests.prevention import factories as pv

    coordinator = make_user(org, "prevention_coordinator")
    school = pv.school(org)
    session = pv.session(org, coordinator, pv.plan(org, school))
    survey_round = pv.survey_round(org, coordinator, session.plan)
    api = client(coordinator, org)
    api.get(f"{API}/prevention/schools/")
    api.get(f"{API}/prevention/schools/{school.pk}/")
    api.get(f"{API}/prevention/sessions/")
    api.get(f"{API}/prevention/sessions/{session.pk}/")
    api.get(f"{API}/prevention/survey-rounds/")
    api.get(f"{API}/prevention/survey-rounds/{survey_round.pk}/")
    api.get(f"{API}/prevention/aggregates/")
    return api


def _insights(org, make_user, client):
    from tests.insights.conftest import csv_upload, plan_rows

    api = client(make_user(org, "data_officer"), org)
    imports = f"{API}/insights/imports/"
    job = api.post(imports, {"file": csv_upload(plan_rows()), "format": "htcds", "source": "partner-a"},
                   multipart=True).json()  # fmt: skip
    assert job["status"] == "uploaded"  # an HTCDS file: the proposed column mapping is confirmed next
    job = api.post(f"{imports}{job['id']}/validate/", {"mapping": job["mapping"]}, expect=200).json()
    assert job["status"] == "valid"
    api.get(f"{imports}{job['id']}/rejects/")
    assert api.post(f"{imports}{job['id']}/accept/", None, expect=202).json()["status"] == "imported"
    api.get(imports)
    api.get(f"{imports}{job['id']}/")
    other = api.post(imports, {"file": csv_upload(plan_rows()[:5], name="b.csv"), "format": "htcds",
                               "source": "partner-b"}, multipart=True).json()  # fmt: skip
    assert api.post(f"{imports}{other['id']}/cancel/", None, expect=200).json()["status"] == "cancelled"
    run = api.post(f"{API}/insights/linkage-runs/", {"threshold": 0.9}, expect=202).json()
    api.get(f"{API}/insights/linkage-runs/")
    api.get(f"{API}/insights/linkage-runs/{run['id']}/")
    api.get(f"{API}/insights/dashboards/")
    assert api.get(f"{API}/insights/dashboards/by_year/").json()["tables"]
    api.get(f"{API}/insights/dashboards/by_year/?method=dp")
    release = api.post(f"{API}/insights/releases/", {"title": "By gender", "fields": ["gender"],
                                                     "method": "suppression", "k": 11}).json()  # fmt: skip
    api.get(f"{API}/insights/releases/")
    api.get(f"{API}/insights/releases/{release['id']}/")
    api.post(f"{API}/insights/releases/{release['id']}/publish/", {"published": True, "unlinked_acknowledged": True},
             expect=200)  # fmt: skip
    return api


def _policy(org, make_user, client):
    from tests.policy import factories as policy

    officer = make_user(org, "policy_officer")
    api = client(officer, org)
    created = api.post(f"{API}/policies/", {"title": "School transport", "kind": "programme"}, expect=201).json()
    api.get(f"{API}/policies/")
    api.get(f"{API}/policies/{created['id']}/")
    assessment = policy.ready_for_review(org, officer)
    api.get(f"{API}/policy-assessments/")
    api.get(f"{API}/policy-assessments/{assessment.pk}/")
    from threadline.policy import services

    indicator = services.indicator_create(policy=assessment.policy, user=officer, name="Reach", unit="pupils")
    services.indicator_value_add(indicator=indicator, user=officer, period="2026", value=12)
    api.get(f"{API}/policy-indicators/")
    api.get(f"{API}/policy-indicators/{indicator.pk}/")
    return api


# scenario -> the paths it owns (by prefix under /api/v1/)
SCENARIOS = {
    "accounts": (_accounts, ("/organisations/", "/members/")),
    "audit": (_audit, ("/audit/",)),
    "screenings": (_screenings, ("/screenings/",)),
    "cases": (
        _cases,
        ("/cases/", "/case-services/", "/consents/", "/referrals/", "/incoming-referrals/", "/referral-partners/"),
    ),
    "online": (_online, ("/online/",)),
    "prevention": (_prevention, ("/prevention/",)),
    "insights": (_insights, ("/insights/",)),
    "policy": (_policy, ("/policies/", "/policy-assessments/", "/policy-indicators/")),
}


def _owned(prefixes) -> set[tuple[str, str]]:
    return {
        (method, template)
        for method, template in Contract(_document()).operations
        if template.startswith(tuple(API + p for p in prefixes))
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_real_exchanges_match_the_document(name, org, make_user, contract_client, settings, tmp_path):
    settings.ONLINE_DATA_DIR = str(tmp_path / "online")
    settings.INSIGHTS_STORE_ROOT = str(tmp_path / "insights")
    scenario, prefixes = SCENARIOS[name]
    api = scenario(org, make_user, contract_client)
    missing = sorted(_owned(prefixes) - api.seen)
    assert not missing, f"documented operations the {name} scenario never drove: {missing}"


@pytest.mark.django_db
def test_refusals_have_the_documented_error_shape(org, other_org, make_user, contract_client, settings, tmp_path):
    from rest_framework.test import APIClient

    settings.ONLINE_DATA_DIR = str(tmp_path / "online")
    ContractClient(APIClient(), Contract(_document())).get(f"{API}/cases/", expect=401)
    contract_client(make_user(org, "auditor"), org).get(f"{API}/cases/", expect=403)
    worker = contract_client(make_user(org, "caseworker"), org)
    worker.post(f"{API}/cases/", {"child_status": "teenager"}, expect=400)
    worker.get(f"{API}/cases/?child_status=teenager", expect=400)
    theirs = f.new_case(other_org)
    worker.get(f"{API}/cases/{theirs.pk}/", expect=404)
    mine = f.new_case(org)
    worker.put(f"{API}/cases/{mine.pk}/cooperation/", {"stance": "cooperating", "authority": "Police"}, expect=403)
    analyst = make_user(org, "online_analyst")
    online_api = contract_client(analyst, org)
    inv = online.make_investigation(org, analyst)
    online_api.post(f"{API}/online/packages/", {"investigation": inv.pk, "network_id": "Nnone"}, expect=404)
    online_api.post(f"{API}/online/investigations/{inv.pk}/inputs/", {"path": "/nowhere"}, expect=400)


def test_every_documented_operation_belongs_to_a_scenario():
    owned = set().union(*(_owned(prefixes) for _scenario, prefixes in SCENARIOS.values()))
    assert not sorted(set(Contract(_document()).operations) - owned)


def test_every_property_has_a_type():
    assert not untyped_properties(_document())

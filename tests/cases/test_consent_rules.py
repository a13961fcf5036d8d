"""Hypothesis: consent rules over arbitrary histories of consent records."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.cases import consent_rules as r

SCOPES = [r.SERVICES, r.SHARING, r.STATISTICS, r.LAW_ENFORCEMENT]
PARTNERS = [1, 2, 3]


@st.composite
def records(draw):
    items = []
    for i in range(draw(st.integers(0, 8))):
        scope = draw(st.sampled_from(SCOPES))
        day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 30)))
        items.append(
            r.ConsentFact(
                id=i + 1,
                scope=scope,
                granted=draw(st.booleans()),
                informed_on=day,
                partner_id=draw(st.sampled_from(PARTNERS)) if scope == r.SHARING else None,
                shares=tuple(draw(st.sets(st.sampled_from(r.ALL_SHARES)))) if scope == r.SHARING else (),
                revoked_on=day if draw(st.booleans()) and draw(st.booleans()) else None,
            )
        )
    return items


@settings(max_examples=150, deadline=None)
@given(records(), st.sampled_from([r.SERVICES, r.STATISTICS, r.LAW_ENFORCEMENT]))
def test_nothing_is_allowed_without_a_granted_record_of_that_scope(items, scope):
    if r.allows(items, scope):
        assert any(i.scope == scope and i.granted and i.revoked_on is None for i in items)


@settings(max_examples=150, deadline=None)
@given(records(), st.sampled_from([r.SERVICES, r.STATISTICS, r.LAW_ENFORCEMENT]))
def test_the_latest_record_decides_and_a_later_refusal_or_revocation_wins(items, scope):
    last_day = max([i.informed_on for i in items], default=date(2026, 1, 1)) + timedelta(days=1)
    refusal = r.ConsentFact(id=99, scope=scope, granted=False, informed_on=last_day)
    assert not r.allows([*items, refusal], scope)
    grant = r.ConsentFact(id=99, scope=scope, granted=True, informed_on=last_day)
    assert r.allows([*items, grant], scope)
    revoked = r.ConsentFact(id=99, scope=scope, granted=True, informed_on=last_day, revoked_on=last_day)
    assert not r.allows([*items, revoked], scope)


@settings(max_examples=150, deadline=None)
@given(records(), st.sampled_from(PARTNERS), st.sets(st.sampled_from(r.ALL_SHARES), min_size=1))
def test_sharing_never_exceeds_what_was_agreed_for_that_organisation(items, partner, wanted):
    allowed = r.shares_allowed(items, partner)
    agreed = set().union(
        *[set(i.shares) for i in items if i.scope == r.SHARING and i.partner_id == partner and i.granted]
    )
    assert allowed <= agreed
    if r.may_refer(items, partner, wanted):
        assert wanted <= allowed


@settings(max_examples=100, deadline=None)
@given(records(), st.sampled_from(PARTNERS))
def test_consent_for_one_organisation_never_allows_another(items, partner):
    others = [i for i in items if not (i.scope == r.SHARING and i.partner_id == partner)]
    assert r.shares_allowed(others, partner) == frozenset()


@settings(max_examples=100, deadline=None)
@given(records())
def test_other_scopes_do_not_leak_into_services(items):
    """Consent to statistics, law enforcement or sharing never stands in for consent to services."""
    without_services = [i for i in items if i.scope != r.SERVICES]
    assert not r.allows(without_services, r.SERVICES)

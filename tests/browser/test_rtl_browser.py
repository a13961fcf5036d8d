"""Issue #19 item 6: in right-to-left pages, phone numbers and Latin runs keep their own order."""

from __future__ import annotations

import pytest

from tests.browser.helpers import enrol_and_verify, sign_in
from tests.conftest import PASSWORD
from tests.screening import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The horizontal position of the first and the last occurrence of two parts of an element's text, as drawn.
POSITIONS = """([selector, first, last]) => {
  const el = document.querySelector(selector);
  const node = [...el.childNodes].find(n => n.nodeType === 3 && n.textContent.includes(first));
  const at = (text) => { const r = document.createRange(); const i = node.textContent.indexOf(text);
    r.setStart(node, i); r.setEnd(node, i + text.length); return r.getBoundingClientRect().left; };
  return [at(first), at(last)];
}"""


def _arabic(cp):
    with cp.page.expect_navigation():
        cp.page.select_option("#language", "ar")
    cp.check()
    assert cp.page.locator("html").get_attribute("dir") == "rtl"


def test_a_phone_number_reads_left_to_right_in_arabic(checked_page, org, make_user):
    worker = make_user(org, "supervisor", email="rtl@harbour.example")
    factories.contact(org, worker, name="Harbour duty line (24 h).")  # phone 020 7946 0018
    screening = factories.completed(org, worker)
    cp = checked_page
    sign_in(cp, worker.email, PASSWORD)
    enrol_and_verify(cp)
    cp.goto(f"/screening/{screening.pk}/")
    _arabic(cp)
    first, last = cp.page.evaluate(POSITIONS, ['#next-steps a[href^="tel:"]', "020", "0018"])
    assert first < last, "the phone number is drawn in reverse order"
    # The Latin name keeps its full stop at its end (on the right of the text, not thrown to the left).
    name = cp.page.evaluate(POSITIONS, ["#next-steps h4 bdi", "Harbour", "."])
    assert name[0] < name[1]
    cp.goto("/screening/contacts/")
    first, last = cp.page.evaluate(POSITIONS, ["main td bdi[dir=ltr]", "020", "0018"])
    assert first < last

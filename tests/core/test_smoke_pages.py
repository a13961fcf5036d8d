import pytest


@pytest.mark.django_db
def test_home_page_renders_for_an_administrator(org, make_user, signed_in):
    admin = make_user(org, "administrator")
    client = signed_in(admin, org)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert org.name in body
    assert "/audit/" in body and "/accounts/members/" in body

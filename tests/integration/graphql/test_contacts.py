"""E-mail and phone: only with the person's consent AND an authenticated request."""

from __future__ import annotations

from tests.integration.graphql.conftest import TOKEN, Client

CONTACT = 'query($id: String!) { person(id: $id) { contactConsent email phone } }'
CONSENTED = "matthias-barutowicz"   # contact_consent: true in the seed
NOT_CONSENTED = "birgit-neyer"      # contact_consent: false


def test_consent_and_authentication_show_contact_details(client: Client) -> None:
    person = client.data(CONTACT, {"id": CONSENTED}, token=TOKEN)["person"]
    assert person["contactConsent"] is True
    assert person["email"] == "m.barutowicz@suedwestfalen.com" and person["phone"]


def test_anonymous_requests_see_no_contact_details(client: Client) -> None:
    for token in (None, "falsch"):
        person = client.data(CONTACT, {"id": CONSENTED}, token=token)["person"]
        assert person == {"contactConsent": True, "email": None, "phone": None}


def test_without_consent_even_authenticated_requests_see_none(client: Client) -> None:
    person = client.data(CONTACT, {"id": NOT_CONSENTED}, token=TOKEN)["person"]
    assert person == {"contactConsent": False, "email": None, "phone": None}

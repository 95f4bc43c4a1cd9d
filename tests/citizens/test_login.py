"""Citizen login over real HTTP against the local OpenID Connect provider, and every refused attack."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from citizens import oidc as client_oidc
from citizens.models import Citizen, Login
from citizens.session import LOGIN_KEY, PENDING_KEY
from devservices import oidc
from tests.citizens.conftest import authorize, log_in, use_own_provider
from tests.helpers import host_client

pytestmark = pytest.mark.django_db


def _citizens(commune) -> int:  # type: ignore[no-untyped-def]
    with tenant_context(commune):
        return Citizen.objects.count() + Login.objects.count()


def _refusals(commune) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        AuditEvent.objects.filter(action="citizen.login_refused", commune=commune)
        .order_by("id")
        .values_list("target", flat=True)
    )


def test_login_stores_the_citizen_with_the_trust_level_of_the_login(communes) -> None:
    client = log_in(communes.zeitz, citizen="max")
    with tenant_context(communes.zeitz):
        login = Login.objects.select_related("citizen").get()
        assert login.trust_level == "substantial"
        assert login.acr == "http://eidas.europa.eu/LoA/substantial"
        assert login.citizen.subject == "demo-max-muster"
        assert login.citizen.family_name == "Muster"
        assert login.citizen.postal_code == "04552"
    page = client.get("/buerger/antraege/").content.decode()
    assert "Max Muster" in page
    assert AuditEvent.objects.filter(action="citizen.login", commune=communes.zeitz).count() == 1


def test_authorisation_request_carries_state_nonce_and_s256_challenge(communes, provider) -> None:
    client = host_client(communes.zeitz)
    location = client.get("/buerger/anmelden/")["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{provider.issuer}/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["redirect_uri"] == [f"http://{communes.zeitz.primary_host}/buerger/anmelden/rueckkehr/"]
    pending = client.session[PENDING_KEY]
    assert pending["state"] == query["state"][0]
    assert pending["code_verifier"] not in location


def test_citizen_session_is_not_a_staff_session(communes) -> None:
    client = log_in(communes.zeitz)
    assert client.get("/verwaltung/anfragen/").status_code == 302  # staff inbox: to the staff login
    assert "_auth_user_id" not in client.session
    assert LOGIN_KEY in client.session


def test_citizen_session_of_one_commune_means_nothing_on_another(communes) -> None:
    zeitz = log_in(communes.zeitz)
    borna = host_client(communes.borna)
    borna.cookies = zeitz.cookies
    response = borna.get("/buerger/antraege/")
    assert response.status_code == 302
    assert response["Location"].startswith("/buerger/anmelden/")


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("wrong_issuer", "wrong_issuer"),
        ("wrong_audience", "wrong_audience"),
        ("wrong_nonce", "wrong_nonce"),
        ("expired", "expired_token"),
        ("bad_signature", "bad_signature"),
        ("tampered", "bad_signature"),
    ],
)
def test_bad_id_tokens_are_refused_with_a_page_and_an_audit_entry(communes, provider, fault, reason) -> None:
    provider.provider.fault = fault
    client = host_client(communes.zeitz)
    response = client.get(authorize(client))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Anmeldung abgelehnt" in page
    assert reason in page
    assert _refusals(communes.zeitz) == [reason]
    assert _citizens(communes.zeitz) == 0
    assert LOGIN_KEY not in client.session


def test_replayed_callback_is_refused(communes) -> None:
    client = host_client(communes.zeitz)
    callback = authorize(client)
    assert client.get(callback).status_code == 302
    client.post("/buerger/abmelden/")
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "state_mismatch" in replay.content.decode()
    assert _refusals(communes.zeitz) == ["state_mismatch"]
    assert LOGIN_KEY not in client.session


def _code(callback: str) -> str:
    return parse_qs(urlsplit(callback).query)["code"][0]


def _fresh_state(client) -> str:  # type: ignore[no-untyped-def]
    return parse_qs(urlsplit(client.get("/buerger/anmelden/")["Location"]).query)["state"][0]


def test_replayed_code_is_refused_even_with_a_fresh_state(communes) -> None:
    victim = host_client(communes.zeitz)
    callback = authorize(victim)
    assert victim.get(callback).status_code == 302
    attacker = host_client(communes.zeitz)
    response = attacker.get(f"/buerger/anmelden/rueckkehr/?code={_code(callback)}&state={_fresh_state(attacker)}")
    assert response.status_code == 403
    assert "code_refused" in response.content.decode()
    assert _refusals(communes.zeitz) == ["code_refused"]
    assert LOGIN_KEY not in attacker.session
    with tenant_context(communes.zeitz):
        assert Login.objects.count() == 1  # the victim's own login only


def test_intercepted_code_is_useless_without_the_victims_pkce_verifier(communes) -> None:
    victim = host_client(communes.zeitz)
    code = _code(authorize(victim))
    attacker = host_client(communes.zeitz)
    response = attacker.get(f"/buerger/anmelden/rueckkehr/?code={code}&state={_fresh_state(attacker)}")
    assert response.status_code == 403
    assert _refusals(communes.zeitz) == ["code_refused"]
    assert _citizens(communes.zeitz) == 0


def test_missing_pkce_verifier_is_refused(communes) -> None:
    client = host_client(communes.zeitz)
    callback = authorize(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "code_verifier": ""}
    session.save()
    response = client.get(callback)
    assert response.status_code == 403
    assert "pkce_verifier_missing" in response.content.decode()
    assert _refusals(communes.zeitz) == ["pkce_verifier_missing"]
    assert _citizens(communes.zeitz) == 0


def test_wrong_pkce_verifier_is_refused_by_the_provider(communes) -> None:
    client = host_client(communes.zeitz)
    callback = authorize(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "code_verifier": "x" * 64}
    session.save()
    response = client.get(callback)
    assert response.status_code == 403
    assert _refusals(communes.zeitz) == ["code_refused"]
    assert _citizens(communes.zeitz) == 0


def test_provider_token_endpoint_requires_the_verifier(communes, provider) -> None:
    client = host_client(communes.zeitz)
    code = _code(authorize(client))
    answer = requests.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": client.session[PENDING_KEY]["redirect_uri"],
            "client_id": oidc.CLIENT_ID,
            "client_secret": oidc.CLIENT_SECRET,
        },
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_code_from_the_platform_provider_is_refused_by_a_commune_with_its_own(communes, other_provider) -> None:
    use_own_provider(communes.borna, other_provider)
    zeitz = host_client(communes.zeitz)
    code = _code(authorize(zeitz))  # issued by the platform's provider for Zeitz
    borna = host_client(communes.borna)
    assert borna.get("/buerger/anmelden/")["Location"].startswith(other_provider.issuer)
    response = borna.get(f"/buerger/anmelden/rueckkehr/?code={code}&state={_fresh_state(borna)}")
    assert response.status_code == 403
    assert _refusals(communes.borna) == ["code_refused"]
    assert _citizens(communes.borna) == 0


def test_id_token_of_another_communes_provider_fails_verification(communes, provider, other_provider) -> None:
    use_own_provider(communes.borna, other_provider)
    foreign = provider.provider.id_token(client_id=oidc.CLIENT_ID, nonce="n-1", citizen="erika")
    with tenant_context(communes.borna):
        config = client_oidc.current_config()
    assert config is not None
    assert config.issuer == other_provider.issuer
    with pytest.raises(client_oidc.LoginRefused) as refused:
        client_oidc.verify_id_token(config, foreign, nonce="n-1", jwks=other_provider.provider.jwks())
    assert refused.value.reason == "unknown_key"


def test_own_provider_login_works_and_is_recorded_as_the_communes(communes, other_provider) -> None:
    use_own_provider(communes.borna, other_provider)
    log_in(communes.borna, citizen="lena")
    with tenant_context(communes.borna):
        login = Login.objects.select_related("citizen").get()
        assert login.citizen.issuer == other_provider.issuer
        assert login.trust_level == "basic"
    event = AuditEvent.objects.get(action="citizen.login", commune=communes.borna)
    assert event.data["provider"] == "commune"


def test_login_without_any_provider_shows_a_page(communes, settings) -> None:
    settings.KOMMUNAL_OIDC_ISSUER = ""
    response = host_client(communes.zeitz).get("/buerger/anmelden/")
    assert response.status_code == 503
    assert _refusals(communes.zeitz) == ["not_configured"]


def test_open_redirect_through_next_is_ignored(communes) -> None:
    client = host_client(communes.zeitz)
    response = client.get(authorize(client, next_url="https://evil.example/"))
    assert response["Location"] == "/buerger/antraege/"

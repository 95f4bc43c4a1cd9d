"""Custom host names route only after their DNS TXT token is verified (DNS server on loopback)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from branding import domains
from tenants.models import Domain
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

HOST = "service.zeitz.example"


class LoopbackDns:
    """A tiny authoritative DNS server on 127.0.0.1 answering TXT queries from ``records``."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                wire, address = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            values = self.records.get(name, [])
            if question.rdtype == dns.rdatatype.TXT and values:
                response.answer.append(
                    dns.rrset.from_text(question.name, 60, "IN", "TXT", *(f'"{value}"' for value in values))
                )
            else:
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(response.to_wire(), address)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def dns_server(settings) -> Iterator[LoopbackDns]:
    server = LoopbackDns()
    settings.KOMMUNAL_DNS_NAMESERVERS = [f"127.0.0.1:{server.port}"]
    yield server
    server.close()


def test_custom_host_routes_only_once_its_txt_token_is_verified(communes, dns_server):
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    custom = Client(HTTP_HOST=HOST)

    assert admin.post("/branding/domains/", {"host": HOST}).status_code == 302
    domain = Domain.objects.get(domain=HOST)
    assert domain.tenant == communes.zeitz
    assert domain.verified_at is None
    page = admin.get("/branding/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"_kommunal.{HOST}" in page
    assert f"kommunal-verification={domain.verification_token}" in page
    assert custom.get("/").status_code == 404

    refused = admin.post(f"/branding/domains/{domain.pk}/verify/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "No TXT record" in refused.content.decode()
    assert custom.get("/").status_code == 404

    dns_server.records[f"_kommunal.{HOST}"] = ["kommunal-verification=someone-elses-token"]
    admin.post(f"/branding/domains/{domain.pk}/verify/")
    assert custom.get("/").status_code == 404

    dns_server.records[f"_kommunal.{HOST}"].append(domains.txt_record_value(domain))
    verified = admin.post(f"/branding/domains/{domain.pk}/verify/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert f"{HOST} is verified" in verified.content.decode()
    home = custom.get("/")
    assert home.status_code == 200
    assert communes.zeitz.name in home.content.decode()
    assert AuditEvent.objects.filter(action="branding.domain_verified", target=HOST, commune=communes.zeitz).exists()


def test_a_commune_cannot_verify_or_remove_another_communes_host(communes, dns_server):
    zeitz_admin = signed_in_client(communes.zeitz, "admin@zeitz.example")
    zeitz_admin.post("/branding/domains/", {"host": HOST})
    domain = Domain.objects.get(domain=HOST)
    dns_server.records[f"_kommunal.{HOST}"] = [domains.txt_record_value(domain)]
    borna_admin = signed_in_client(communes.borna, "admin@borna.example")

    assert borna_admin.post(f"/branding/domains/{domain.pk}/verify/").status_code == 404
    assert borna_admin.post(f"/branding/domains/{domain.pk}/remove/").status_code == 404
    assert HOST not in borna_admin.get("/branding/").content.decode()
    domain.refresh_from_db()
    assert domain.verified_at is None


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("zeitz.localhost", "assigned by the platform"),
        ("not a host", "Enter a host name"),
        ("borna.localhost", "assigned by the platform"),
    ],
)
def test_host_names_the_platform_assigns_or_that_are_invalid_are_refused(communes, host, message):
    admin = signed_in_client(communes.zeitz, "admin@zeitz.example")

    response = admin.post("/branding/domains/", {"host": host}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_host_registered_by_one_commune_cannot_be_claimed_by_another(communes, dns_server):
    signed_in_client(communes.zeitz, "admin@zeitz.example").post("/branding/domains/", {"host": HOST})

    response = signed_in_client(communes.borna, "admin@borna.example").post(
        "/branding/domains/", {"host": HOST}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "Another commune has claimed this host name" in response.content.decode()
    assert Domain.objects.get(domain=HOST).tenant == communes.zeitz


def test_the_real_owner_takes_over_a_squatted_claim_by_publishing_its_record(communes, dns_server):
    squatter = signed_in_client(communes.borna, "admin@borna.example")
    assert squatter.post("/branding/domains/", {"host": HOST}).status_code == 302
    owner = signed_in_client(communes.zeitz, "admin@zeitz.example")

    refused = owner.post("/branding/domains/", {"host": HOST}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    record = f"kommunal-verification={domains.claim_token(communes.zeitz, HOST)}"
    assert record in refused.content.decode(), "the owner is told which record proves the host is theirs"

    dns_server.records[f"_kommunal.{HOST}"] = [record]
    assert owner.post("/branding/domains/", {"host": HOST}).status_code == 302
    domain = Domain.objects.get(domain=HOST)
    assert domain.tenant == communes.zeitz
    assert domains.txt_record_value(domain) == record
    released = AuditEvent.objects.get(action="branding.domain_claim_released", target=HOST)
    assert (released.commune, released.data["reason"]) == (communes.borna, "superseded")

    assert squatter.post("/branding/domains/", {"host": HOST}).status_code == 400, "the squatter cannot take it back"
    owner.post(f"/branding/domains/{domain.pk}/verify/")
    assert Client(HTTP_HOST=HOST).get("/").status_code == 200


def test_an_unverified_claim_lapses_after_the_claim_period(communes, dns_server, settings):
    settings.KOMMUNAL_DOMAIN_CLAIM_DAYS = 7
    signed_in_client(communes.borna, "admin@borna.example").post("/branding/domains/", {"host": HOST})
    Domain.objects.filter(domain=HOST).update(created_at=timezone.now() - timedelta(days=7, minutes=1))

    response = signed_in_client(communes.zeitz, "admin@zeitz.example").post("/branding/domains/", {"host": HOST})

    assert response.status_code == 302
    assert Domain.objects.get(domain=HOST).tenant == communes.zeitz
    released = AuditEvent.objects.get(action="branding.domain_claim_released", target=HOST)
    assert (released.commune, released.data["reason"]) == (communes.borna, "expired")


def test_a_verified_host_is_never_taken_over(communes, dns_server):
    owner = signed_in_client(communes.zeitz, "admin@zeitz.example")
    owner.post("/branding/domains/", {"host": HOST})
    domain = Domain.objects.get(domain=HOST)
    dns_server.records[f"_kommunal.{HOST}"] = [
        domains.txt_record_value(domain),
        f"kommunal-verification={domains.claim_token(communes.borna, HOST)}",
    ]
    owner.post(f"/branding/domains/{domain.pk}/verify/")
    Domain.objects.filter(domain=HOST).update(created_at=timezone.now() - timedelta(days=30))

    response = signed_in_client(communes.borna, "admin@borna.example").post(
        "/branding/domains/", {"host": HOST}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert Domain.objects.get(domain=HOST).tenant == communes.zeitz

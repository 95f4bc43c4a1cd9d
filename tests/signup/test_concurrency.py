"""Two people apply for the same commune at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from signup.models import Application
from tests.helpers import host_client

BODY = {
    "ags": "14713000",
    "applicant_role": "Bürgeramt",
    "accept_terms": True,
    "accept_dpa": True,
}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_applications_for_one_commune_one_wins(communes) -> None:
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    details: list[str] = []

    def apply(number: int) -> None:
        body = {**BODY, "applicant_name": f"Person {number}", "applicant_email": f"p{number}@leipzig.de"}
        client = host_client()
        barrier.wait()
        try:
            response = client.post(
                "/api/v1/signups/", body, content_type="application/json", REMOTE_ADDR=f"192.0.2.{number}"
            )
            statuses.append(response.status_code)
            if response.status_code == 409:
                details.append(response.json()["detail"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert all("Leipzig" in detail for detail in details)
    assert Application.objects.filter(ags="14713000").count() == 1

"""Committed changes (as concurrent requests make them) and the shared fixtures coexist."""

import threading

import pytest
from django.db import connections

from tenants import actions
from tenants.models import Commune


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_suspensions_record_one_transition(communes) -> None:
    barrier = threading.Barrier(2)

    def suspend() -> None:
        barrier.wait()
        try:
            actions.suspend_commune(Commune.objects.get(pk=communes.zeitz.pk), actor="operator:t", reason="Test")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=suspend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert communes.zeitz.transitions.filter(to_status="suspended").count() == 1
    actions.reactivate_commune(communes.zeitz, actor="operator:t")


def test_the_registry_is_back_after_a_transactional_test(communes, zeitz_client) -> None:
    assert zeitz_client.get("/").status_code == 200

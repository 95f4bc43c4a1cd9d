"""factory-boy factories for catalogue data."""

from __future__ import annotations

import factory
from django.utils import timezone

from catalog.models import Category, Service, ServiceVersion

SIMPLE_FORM = {
    "type": "object",
    "required": ["name", "email"],
    "properties": {
        "name": {"type": "string", "title": "Name", "minLength": 2, "maxLength": 200},
        "email": {"type": "string", "title": "E-Mail", "format": "email"},
    },
    "additionalProperties": False,
}


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    slug = factory.Sequence(lambda n: f"test-service-{n}")
    title_de = factory.Sequence(lambda n: f"Testleistung {n}")
    title_en = factory.Sequence(lambda n: f"Test service {n}")
    summary_de = "Kurzbeschreibung"
    summary_en = "Summary"
    description_de = "Beschreibung"
    description_en = "Description"
    category = Category.GENERAL
    office_type = "Bürgeramt"


class ServiceVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceVersion

    service = factory.SubFactory(ServiceFactory)
    number = 1
    status = ServiceVersion.Status.PUBLISHED
    form_schema = factory.LazyFunction(lambda: dict(SIMPLE_FORM))
    published_at = factory.LazyFunction(timezone.now)

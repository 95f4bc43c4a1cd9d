"""``{% citizen_thread item %}``: the message thread of a request in the staff inbox."""

from __future__ import annotations

from typing import Any

from django import template

from citizen_requests.models import CitizenRequest
from citizens import selectors
from citizens.models import RequestOwner

register = template.Library()


@register.inclusion_tag("citizens/_staff_thread.html", takes_context=True)
def citizen_thread(context: dict[str, Any], item: CitizenRequest) -> dict[str, Any]:
    owner = RequestOwner.objects.select_related("citizen").filter(request=item).first()
    return {
        "item": item,
        "owner": owner,
        "thread": list(selectors.thread(item)) if owner else [],
        "csrf_token": context.get("csrf_token"),
    }

"""Forms of the staff inbox."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from citizen_requests.models import CitizenRequest, Status


class StatusChangeForm(forms.Form):
    """Move a request to one of the statuses its lifecycle allows next."""

    status = forms.ChoiceField(label=_("New status"))
    comment = forms.CharField(
        label=_("Comment for the citizen"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, request_obj: CitizenRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [(s, Status(s).label) for s in request_obj.allowed_transitions()]

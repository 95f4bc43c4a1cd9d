"""Forms of the staff's appointment setup: counters, their weekly hours, closures, per-service settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from activations.models import Activation
from appointments.models import Closure, Resource, ServiceSettings, WeeklyPeriod


class ResourceForm(forms.ModelForm):
    prefix = "resource"

    class Meta:
        model = Resource
        fields = ["name", "location"]


class PeriodForm(forms.ModelForm):
    prefix = "period"

    class Meta:
        model = WeeklyPeriod
        fields = ["resource", "weekday", "kind", "starts", "ends"]
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}), "ends": forms.TimeInput(attrs={"type": "time"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", _("The end must be after the start."))
        return data


class ClosureForm(forms.ModelForm):
    prefix = "closure"

    class Meta:
        model = Closure
        fields = ["resource", "first_day", "last_day", "reason"]
        widgets = {
            "first_day": forms.DateInput(attrs={"type": "date"}),
            "last_day": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"resource": _("Leave empty to close every counter.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first_day") and data.get("last_day") and data["first_day"] > data["last_day"]:
            self.add_error("last_day", _("The last day must not be before the first day."))
        return data


class ServiceSettingsForm(forms.ModelForm):
    prefix = "service"
    activation = forms.ModelChoiceField(
        queryset=Activation.objects.filter(is_active=True).select_related("service"), label=_("Service")
    )

    class Meta:
        model = ServiceSettings
        fields = ["activation", "mode", "slot_minutes", "buffer_minutes", "horizon_days", "resources"]
        widgets = {"resources": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activation"].label_from_instance = lambda activation: activation.service.title  # type: ignore[attr-defined]
        self.fields["slot_minutes"].min_value = 5  # type: ignore[attr-defined]
        self.fields["slot_minutes"].widget.attrs.update(min=5, max=480)
        self.fields["horizon_days"].widget.attrs.update(min=1, max=366)

    def clean_slot_minutes(self) -> int:
        value = int(self.cleaned_data["slot_minutes"])
        if not 5 <= value <= 480:
            raise forms.ValidationError(_("Between 5 and 480 minutes."))
        return value

    def clean_horizon_days(self) -> int:
        value = int(self.cleaned_data["horizon_days"])
        if not 1 <= value <= 366:
            raise forms.ValidationError(_("Between 1 and 366 days."))
        return value


SETUP_FORMS: dict[str, type[forms.ModelForm]] = {
    "resource": ResourceForm,
    "period": PeriodForm,
    "closure": ClosureForm,
    "service": ServiceSettingsForm,
}

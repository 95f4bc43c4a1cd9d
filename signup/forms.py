"""Forms of the signup wizard on the platform host."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from catalog.selectors import published_services
from kommunal.error_summary import ErrorItem, items_for_form
from signup.leitweg import validate_leitweg_id


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or AGS of your commune"), max_length=100, required=False)


class ApplicationForm(forms.Form):
    """Applicant, acceptance of the terms and the DPA, services and billing contact in one page."""

    applicant_name = forms.CharField(label=_("Your name"), max_length=200)
    applicant_role = forms.CharField(
        label=_("Your role"), max_length=200, help_text=_("e.g. mayor, head of the citizens' office")
    )
    applicant_email = forms.EmailField(
        label=_("Official e-mail address"), help_text=_("We send the confirmation link to this address.")
    )
    applicant_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    accept_terms = forms.BooleanField(label=_("I accept the terms of use."))
    accept_dpa = forms.BooleanField(label=_("I accept the data processing agreement (Art. 28 GDPR)."))
    services = forms.MultipleChoiceField(
        label=_("Services to start with"), required=False, widget=forms.CheckboxSelectMultiple
    )
    invoice_recipient = forms.CharField(label=_("Invoice recipient"), max_length=200, required=False)
    invoice_street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    invoice_postcode = forms.RegexField(label=_("Postcode"), regex=r"^\d{5}$", required=False)
    invoice_city = forms.CharField(label=_("City"), max_length=100, required=False)
    invoice_email = forms.EmailField(label=_("E-mail address for invoices"), required=False)
    leitweg_id = forms.CharField(
        label=_("Leitweg-ID (optional)"),
        max_length=46,
        required=False,
        validators=[validate_leitweg_id],
        help_text=_("For electronic invoices (XRechnung), e.g. 04011000-1234512345-06."),
    )
    # Honeypot: hidden from people by CSS and aria-hidden; bots fill in every field.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Category.choices)
        services = sorted(published_services(), key=lambda s: (str(labels.get(s.category, s.category)), str(s.title)))
        self.fields["services"].choices = [  # type: ignore[attr-defined]
            (labels.get(category, category), [(service.slug, service.title) for service in group])
            for category, group in groupby(services, key=lambda service: service.category)
        ]

    def service_groups(self) -> list[tuple[str, list[BoundWidget]]]:
        """The service checkboxes by subject area: (label of the area, its checkboxes)."""
        checkboxes = iter(self["services"].subwidgets)
        return [
            (str(label), [next(checkboxes) for _option in options])
            for label, options in self.fields["services"].choices  # type: ignore[attr-defined]
        ]

    def error_items(self) -> list[ErrorItem]:
        """The form's errors for the summary at the top (the honeypot never shows up there)."""
        return items_for_form(self, skip=["website"])

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def application_data(self) -> dict[str, Any]:
        """The cleaned fields as ``signup.actions.submit_application`` takes them."""
        data = dict(self.cleaned_data)
        data.pop("website", None)
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

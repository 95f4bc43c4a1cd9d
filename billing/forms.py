"""The commune admin's invoice address and e-invoice details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import BillingAccount
from billing.xrechnung import LEITWEG_ID


class EInvoiceForm(forms.ModelForm):
    class Meta:
        model = BillingAccount
        fields = [
            "name",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "email",
            "einvoice_email",
            "leitweg_id",
            "leitweg_id_required",
        ]

    def clean_leitweg_id(self) -> str:
        value = self.cleaned_data["leitweg_id"].strip()
        if value and not LEITWEG_ID.match(value):
            raise forms.ValidationError(_("Enter a Leitweg-ID such as 14523001-ZEITZ1-72."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("leitweg_id_required") and not cleaned.get("leitweg_id"):
            self.add_error("leitweg_id", _("Your commune requires a Leitweg-ID on its invoices: enter it."))
        return cleaned

"""Forms of the operator console."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from operators.models import Role


class TokenForm(forms.Form):
    """Enter the six-digit code of the authenticator app, or one of the recovery codes."""

    token = forms.RegexField(
        label=_("Code from your authenticator app (or a recovery code)"),
        regex=r"^(\d{6,8}|[A-Za-z2-7]{8})$",
        max_length=8,
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip().lower()


class ActionForm(forms.Form):
    """Confirmation of a tenant action; some actions need a reason, offboarding the slug typed again."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confirm_slug = forms.CharField(label=_("Type the address name of the commune to confirm"), required=False)

    def __init__(self, *args: Any, needs_reason: bool, expected_slug: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = needs_reason
        self.expected_slug = expected_slug
        if expected_slug is None:
            del self.fields["confirm_slug"]
        else:
            self.fields["confirm_slug"].required = True

    def clean_confirm_slug(self) -> str:
        value = self.cleaned_data["confirm_slug"].strip()
        if value != self.expected_slug:
            raise forms.ValidationError(_("This is not the commune's address name."))
        return value


class NewTokenForm(forms.Form):
    operator = forms.ModelChoiceField(label=_("Operator"), queryset=User.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)

    def __init__(self, *args: Any, operators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the platform account"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_email(self) -> User:
        user = User.objects.filter(email=self.cleaned_data["email"].lower()).first()
        if user is None:
            raise forms.ValidationError(_("No platform account has this e-mail address."))
        return user


class _JSONTextField(forms.JSONField):
    """A JSON textarea that shows its value indented and names what is wrong with bad input."""

    default_error_messages = {"invalid": _("This is not valid JSON: check quotes, commas and brackets.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)


class DraftVersionForm(forms.Form):
    """A new draft version of a catalogue service; ``catalog.services`` validates schema and fees."""

    form_schema = _JSONTextField(
        label=_("Form (JSON Schema)"), help_text=_("JSON Schema (Draft 2020-12) of an object with properties.")
    )
    ui_schema = _JSONTextField(label=_("Form UI hints (JSON)"), required=False)
    min_fee = forms.DecimalField(label=_("Lowest fee (EUR)"), max_digits=8, decimal_places=2, min_value=0)
    max_fee = forms.DecimalField(
        label=_("Highest fee (EUR)"), max_digits=8, decimal_places=2, min_value=0, required=False
    )
    default_fee = forms.DecimalField(
        label=_("Default fee (EUR)"), max_digits=8, decimal_places=2, min_value=0, required=False
    )
    online_submission_allowed = forms.BooleanField(label=_("Online submission allowed"), required=False)
    changelog = forms.CharField(
        label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

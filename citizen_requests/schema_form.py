"""Request forms from a service version's JSON Schema: fields to render, and server-side validation.

The schema carries the German texts (``title``, ``description``); the UI hints carry the widget
(``ui:widget``: textarea, radio), German option labels (``ui:enumNames``), the field order
(``ui:order``) and the English texts under ``en`` (``title``, ``description``, ``enumNames``).
Only flat forms are supported: strings (with ``format`` email/date), numbers, integers,
booleans, enums and attachments (arrays with ``x-attachment``, see attachments.py), which is what
a request form needs without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.models import ServiceVersion
from citizen_requests import attachments
from kommunal import input_guard


@dataclass
class FormField:
    """One input of a request form, in the active language."""

    name: str
    label: str
    help_text: str
    kind: str  # text, textarea, email, date, number, integer, checkbox, select, radio, file
    required: bool
    choices: list[tuple[Any, str]] = field(default_factory=list)
    schema: dict[str, Any] = field(default_factory=dict)
    value: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return f"field-{self.name}"

    @property
    def described_by(self) -> str:
        """Ids of the help text and error message, for ``aria-describedby``."""
        ids = [f"{self.input_id}-help"] if self.help_text else []
        return " ".join(ids + ([f"{self.input_id}-error"] if self.errors else []))

    @property
    def display_value(self) -> Any:
        """The value as a person reads it: an option's label rather than its code."""
        return dict(self.choices).get(self.value, self.value) if self.choices else self.value

    @property
    def step(self) -> str:
        return "1" if self.kind == "integer" else "any"

    @property
    def accept(self) -> str:
        """The ``accept`` attribute of a file input: the accepted media types."""
        return ",".join(attachments.accepted(self.schema))

    @property
    def accept_labels(self) -> str:
        return ", ".join(attachments.LABELS[media] for media in attachments.accepted(self.schema))

    @property
    def max_size_mb(self) -> str:
        return f"{attachments.max_size(self.schema) / (1024 * 1024):g}"


def _english() -> bool:
    return (translation.get_language() or "de")[:2] == "en"


def _kind(prop: dict[str, Any], hints: dict[str, Any]) -> str:
    widget = hints.get("ui:widget")
    if attachments.rules(prop) is not None:
        return "file"
    if "enum" in prop:
        return "radio" if widget == "radio" else "select"
    kind = prop.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return str(kind)
    if prop.get("format") in ("email", "date"):
        return str(prop["format"])
    return "textarea" if widget == "textarea" else "text"


def build_fields(version: ServiceVersion, values: dict[str, Any] | None = None) -> list[FormField]:
    """The fields of ``version``'s form in display order, labelled in the active language."""
    schema, ui = version.form_schema, version.ui_schema or {}
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    order = [name for name in ui.get("ui:order", []) if name in properties]
    order += [name for name in properties if name not in order]
    english = _english()
    values = values or {}
    result = []
    for name in order:
        prop, hints = properties[name], ui.get(name, {})
        texts = hints.get("en", {}) if english else {}
        label = texts.get("title") or prop.get("title") or name
        help_text = texts.get("description") or prop.get("description", "")
        choices: list[tuple[Any, str]] = []
        if "enum" in prop:
            names = texts.get("enumNames") or hints.get("ui:enumNames") or []
            choices = [(value, names[i] if i < len(names) else str(value)) for i, value in enumerate(prop["enum"])]
        result.append(
            FormField(
                name=name,
                label=str(label),
                help_text=str(help_text),
                kind=_kind(prop, hints),
                required=name in required,
                choices=choices,
                schema=prop,
                value=values.get(name),
            )
        )
    return result


def coerce_post(fields: list[FormField], post: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn an HTML form's strings into the JSON types the schema expects.

    Empty inputs are left out (so that ``required`` reports them); unparsable numbers are
    reported right away.
    """
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for form_field in fields:
        if form_field.kind == "file":
            continue  # files come with the upload, see attachments.check
        if form_field.kind == "checkbox":
            data[form_field.name] = post.get(form_field.name) in ("on", "true", "1")
            continue
        raw = (post.get(form_field.name) or "").strip()
        if raw == "":
            continue
        refused = input_guard.text_problem(raw)
        if refused:
            errors[form_field.name] = [refused]
            data[form_field.name] = raw.replace("\x00", "")
            continue
        prop_type = form_field.schema.get("type")
        if prop_type in ("integer", "number"):
            try:
                number = Decimal(raw.replace(",", "."))
                refused = input_guard.number_problem(number, input_guard.MAX_NUMBER)
            except InvalidOperation:
                refused = _("Please enter a number.")
            if refused:
                errors[form_field.name] = [refused]
                data[form_field.name] = raw
                continue
            if prop_type == "integer" and number == number.to_integral_value():
                data[form_field.name] = int(number)
            elif prop_type == "integer":
                errors[form_field.name] = [_("Please enter a whole number.")]
                data[form_field.name] = raw
            else:
                data[form_field.name] = float(number)
        else:
            data[form_field.name] = raw
    return data, errors


def _message(error: jsonschema.ValidationError, prop: dict[str, Any], hints: dict[str, Any]) -> str:
    keyword, expected = error.validator, error.validator_value
    if keyword == "format" and expected == "email":
        return _("Please enter a valid e-mail address.")
    if keyword == "format" and expected == "date":
        return _("Please enter a valid date (YYYY-MM-DD).")
    if keyword == "type":
        return {
            "integer": _("Please enter a whole number."),
            "number": _("Please enter a number."),
            "boolean": _("Please choose yes or no."),
        }.get(str(expected), _("Please enter text."))
    if keyword == "enum":
        return _("Please choose one of the options.")
    if keyword == "const":
        return _("Please confirm this.")
    if keyword == "minItems":
        return (
            _("Please attach a file.") if expected == 1 else _("Please attach at least %(n)s files.") % {"n": expected}
        )
    if keyword == "maxItems":
        return _("Please attach at most %(n)s files.") % {"n": expected}
    if keyword == "minLength":
        if expected == 1:
            return _("This field is required.")
        return _("Please enter at least %(n)s characters.") % {"n": expected}
    if keyword == "maxLength":
        return _("Please enter at most %(n)s characters.") % {"n": expected}
    if keyword in ("minimum", "exclusiveMinimum"):
        return _("The value must be at least %(n)s.") % {"n": expected}
    if keyword in ("maximum", "exclusiveMaximum"):
        return _("The value must be at most %(n)s.") % {"n": expected}
    if keyword == "pattern":
        example = (hints.get("en", {}) if _english() else {}).get("description") or prop.get("description")
        return _("The value does not have the expected format.") + (f" {example}" if example else "")
    return _("The value is not valid.")


def validate_data(version: ServiceVersion, data: Any) -> dict[str, list[str]]:
    """Check submitted data against the version's form; return messages per field (empty when valid).

    Unknown fields are refused whatever the schema says, and e-mail fields are checked with
    Django's stricter validator.
    """
    if not isinstance(data, dict):
        return {"data": [_("The form data must be a JSON object.")]}
    schema = version.form_schema
    properties: dict[str, Any] = schema.get("properties", {})
    errors: dict[str, list[str]] = {}
    for name in sorted(set(data) - set(properties)):
        errors.setdefault(str(name), []).append(_("This field is not part of the form."))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for error in validator.iter_errors(data):
        if error.validator == "required":
            # jsonschema reports each missing property as an error of its own, each naming the whole list.
            for name in error.validator_value:
                message = (
                    _("Please attach a file.")
                    if attachments.rules(properties.get(name, {})) is not None
                    else _("This field is required.")
                )
                if name not in error.instance and message not in errors.get(name, []):
                    errors.setdefault(name, []).append(message)
            continue
        if error.validator == "additionalProperties":
            continue  # reported above, by name
        name = str(error.path[0]) if error.path else "data"
        message = _message(error, properties.get(name, {}), (version.ui_schema or {}).get(name, {}))
        if message not in errors.get(name, []):
            errors.setdefault(name, []).append(message)
    for name, prop in properties.items():
        value = data.get(name)
        if prop.get("format") == "email" and isinstance(value, str) and name not in errors:
            try:
                validate_email(value)
            except DjangoValidationError:
                errors[name] = [_("Please enter a valid e-mail address.")]
    return errors

"""A commune's own wording of a service it offers, per language, over the catalogue's texts.

``Activation.texts`` maps a language code to the texts the commune entered in that language::

    {"de": {"title": "Sperrmüll anmelden", "leichte_sprache": "..."}, "hsb": {"title": "..."}}

Only non-empty texts are stored. The portal shows, for each text, the commune's text in the active
language; for Upper and Lower Sorbian, where none was entered, its German text (the Sorbian portal
falls back to German throughout); otherwise the catalogue's text. "Leichte Sprache" is German by
definition and is kept under ``de`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.information import TEXT_MODULES

LANGUAGES = ("de", "en", "hsb", "dsb")
REGIONAL = ("hsb", "dsb")
TEXT_LIMIT = 20_000
# Every text a commune may word itself, with its longest length.
FIELDS: dict[str, int] = {
    "title": 200,
    "summary": 300,
    "description": TEXT_LIMIT,
    **dict.fromkeys(TEXT_MODULES, TEXT_LIMIT),
}
LEICHTE_SPRACHE = "leichte_sprache"
LABELS = {
    "title": gettext_lazy("Title"),
    "summary": gettext_lazy("Short description"),
    "description": gettext_lazy("Description"),
    "volltext": gettext_lazy("Full text"),
    "voraussetzungen": gettext_lazy("Requirements"),
    "bearbeitungsdauer": gettext_lazy("Processing time"),
    "fristen": gettext_lazy("Deadlines"),
    "hinweise": gettext_lazy("Forms and notes"),
    LEICHTE_SPRACHE: gettext_lazy("Leichte Sprache"),
}


def fields_of(language: str) -> dict[str, int]:
    """The texts a commune may enter in ``language``, with their longest lengths."""
    return {**FIELDS, LEICHTE_SPRACHE: TEXT_LIMIT} if language == "de" else dict(FIELDS)


def clean_texts(texts: Any) -> dict[str, dict[str, str]]:
    """``texts`` with surrounding blanks and empty entries removed; ValidationError naming what is wrong."""
    if not isinstance(texts, Mapping):
        raise ValidationError({"texts": _("Expected an object of languages.")})
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for language, entries in texts.items():
        if language not in LANGUAGES:
            errors[f"texts.{language}"] = _("Unknown language; use one of %(languages)s.") % {
                "languages": ", ".join(LANGUAGES)
            }
            continue
        if not isinstance(entries, Mapping):
            errors[f"texts.{language}"] = _("Expected an object of texts.")
            continue
        allowed = fields_of(language)
        for name, value in entries.items():
            key = f"texts.{language}.{name}"
            if name not in allowed:
                errors[key] = _("Unknown text; use one of %(fields)s.") % {"fields": ", ".join(allowed)}
            elif not isinstance(value, str):
                errors[key] = _("Expected a string.")
            elif len(value.strip()) > allowed[name]:
                errors[key] = _("At most %(limit)s characters.") % {"limit": allowed[name]}
            elif value.strip():
                cleaned.setdefault(language, {})[name] = value.strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


def _language_chain() -> tuple[str, ...]:
    language = (translation.get_language() or "de").split("-")[0].lower()
    return (language, "de") if language in REGIONAL else (language,)


def shown(texts: Mapping[str, Mapping[str, str]], name: str) -> str:
    """The commune's text ``name`` for the active language, or "" where the catalogue's applies."""
    for language in _language_chain():
        value = texts.get(language, {}).get(name, "")
        if value:
            return value
    return ""


def shown_modules(texts: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The commune's citizen-information modules (``TEXT_MODULES``) for the active language."""
    return {name: value for name in TEXT_MODULES if (value := shown(texts, name))}

"""Validation of the Leitweg-ID, the routing address of German public e-invoicing (XRechnung).

Format (KoSIT, Formatspezifikation Leitweg-ID 2.0): ``Grobadressierung-Feinadressierung-Prüfziffer``
with 2 to 12 digits, an optional fine address of up to 30 letters and digits, and two check
digits computed with ISO 7064 MOD 97-10 over the ID without hyphens (letters count as A=10 ... Z=35),
so that the whole ID taken as a number leaves remainder 1 when divided by 97.
Example: ``04011000-1234512345-06``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LEITWEG_PATTERN = re.compile(r"^(?P<coarse>\d{2,12})(?:-(?P<fine>[A-Z0-9]{1,30}))?-(?P<check>\d{2})$")


def _as_number(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def check_digits(coarse: str, fine: str = "") -> str:
    """The two check digits (MOD 97-10) of a Leitweg-ID without its check digits."""
    return f"{98 - _as_number(coarse + fine + '00') % 97:02d}"


def validate_leitweg_id(value: str) -> None:
    """Refuse a Leitweg-ID whose format or check digits are wrong."""
    match = LEITWEG_PATTERN.match(value or "")
    if match is None:
        raise ValidationError(
            _(
                "A Leitweg-ID has the form coarse address (2-12 digits), optional fine address (up to 30 "
                "capital letters or digits) and two check digits, separated by hyphens, e.g. 04011000-1234512345-06."
            ),
            code="leitweg_format",
        )
    if check_digits(match["coarse"], match["fine"] or "") != match["check"]:
        raise ValidationError(
            _("The check digits of this Leitweg-ID are wrong; please compare it with your invoice details."),
            code="leitweg_check",
        )

"""Leitweg-IDs: format and ISO 7064 MOD 97-10 check digits."""

import pytest
from django.core.exceptions import ValidationError

from signup.leitweg import check_digits, validate_leitweg_id


@pytest.mark.parametrize("value", ["04011000-1234512345-06", "991-33333TEST-33", "05-83"])
def test_valid_leitweg_ids_pass(value: str) -> None:
    validate_leitweg_id(value)


def test_check_digits_follow_mod_97_10() -> None:
    assert check_digits("04011000", "1234512345") == "06"
    assert check_digits("991", "33333TEST") == "33"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("04011000-1234512345-07", "leitweg_check"),
        ("991-33333TEST-34", "leitweg_check"),
        ("991-33333test-33", "leitweg_format"),
        ("1-33333TEST-33", "leitweg_format"),
        ("04011000 1234512345 06", "leitweg_format"),
        ("04011000-" + "A" * 31 + "-00", "leitweg_format"),
    ],
)
def test_wrong_leitweg_ids_are_refused(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_leitweg_id(value)
    assert error.value.code == code

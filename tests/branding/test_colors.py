"""Brand colours must keep the portal's white text readable (WCAG 2.1 AA, 4.5:1)."""

from __future__ import annotations

import colorsys

import pytest
from django_tenants.utils import tenant_context

from branding import colors
from branding.models import Branding
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("color", "ratio"),
    [("#000000", 21.0), ("#ffffff", 1.0), ("#767676", 4.54), ("#777777", 4.48), ("#0b4f8a", 8.5)],
)
def test_contrast_ratio_against_white_matches_wcag(color, ratio):
    assert colors.contrast_ratio(color, "#ffffff") == pytest.approx(ratio, abs=0.01 if ratio < 5 else 0.1)


@pytest.mark.parametrize("color", ["#777777", "#ffcc00", "#4a90e2", "#ff5a5f", "#00a651", "#ffffff"])
def test_suggested_shade_passes_and_keeps_the_hue(color):
    suggestion = colors.nearest_passing(color)

    assert colors.contrast_ratio(suggestion, "#ffffff") >= 4.5
    assert not colors.passes(color)
    hue = colorsys.rgb_to_hls(*(int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    suggested_hue = colorsys.rgb_to_hls(*(int(suggestion[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    assert suggested_hue == pytest.approx(hue, abs=0.02)


def test_suggestion_is_the_lightest_passing_shade():
    suggestion = colors.nearest_passing("#4a90e2")
    h, lightness, s = colorsys.rgb_to_hls(*(int(suggestion[i : i + 2], 16) / 255 for i in (1, 3, 5)))
    lighter = "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in colorsys.hls_to_rgb(h, lightness + 0.01, s)))

    assert not colors.passes(lighter)


def test_form_refuses_a_pale_colour_explains_why_and_suggests_a_passing_shade(communes):
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")

    response = client.post(
        "/branding/",
        {"display_name": "Stadt Zeitz", "primary_color": "#ffcc00", "accent_color": "#1d6f42"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    page = response.content.decode()
    suggestion = colors.nearest_passing("#ffcc00")
    assert "White text on #ffcc00 has a contrast of only 1.5:1" in page
    assert f"The nearest shade that passes is {suggestion}" in page
    with tenant_context(communes.zeitz):
        assert not Branding.objects.exists()

    accepted = client.post(
        "/branding/", {"display_name": "Stadt Zeitz", "primary_color": suggestion, "accent_color": "#1d6f42"}
    )
    assert accepted.status_code == 302
    with tenant_context(communes.zeitz):
        assert Branding.objects.get().primary_color == suggestion


def test_refusal_is_explained_in_german_by_default(communes):
    client = signed_in_client(communes.zeitz, "admin@zeitz.example")

    response = client.post("/branding/", {"primary_color": "#1d6f42", "accent_color": "#a0d0ff"})

    assert response.status_code == 400
    assert "Weiße Schrift auf #a0d0ff" in response.content.decode()

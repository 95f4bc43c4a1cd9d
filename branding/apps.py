"""Each commune's own branding: name, colours, coat of arms, legal links and custom host names."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandingConfig(AppConfig):
    name = "branding"
    verbose_name = _("Branding")

    def ready(self) -> None:
        from PIL import Image

        from branding.images import MAX_PIXELS

        # Pillow warns above this many pixels and refuses at twice as many; uploads treat the
        # warning as an error (see branding.images), so nothing larger is ever decoded.
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS

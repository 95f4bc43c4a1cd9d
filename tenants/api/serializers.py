"""Serializers of the commune registry API."""

from rest_framework import serializers

from tenants.models import Commune

COMMUNE_EXAMPLE = {
    "slug": "zeitz",
    "name": "Zeitz",
    "ags": "15084590",
    "kind": "stadt",
    "land": "Sachsen-Anhalt",
    "landkreis": "Burgenlandkreis",
    "url": "https://zeitz.kommunal.example",
}


class CommuneOutputSerializer(serializers.ModelSerializer[Commune]):
    """A commune as anyone may see it: who it is and where its portal answers."""

    url = serializers.CharField(source="portal_url", help_text="Base URL of the commune's portal and API.")

    class Meta:
        model = Commune
        fields = ["slug", "name", "ags", "kind", "land", "landkreis", "url"]
        read_only_fields = fields

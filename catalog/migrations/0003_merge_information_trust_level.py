from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_service_information"),
        ("catalog", "0002_serviceversion_min_trust_level"),
    ]

    operations = []

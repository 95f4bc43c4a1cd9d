"""Records are now keyed on the authenticated principal and never hold secrets.

The records stored before were keyed on a hash of the ``Authorization`` header and may hold
plaintext secrets; they are deleted (a client retrying within the day simply gets a new answer).
"""

from django.db import migrations, models


def delete_old_records(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("kommunal_api", "IdempotencyRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("kommunal_api", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="secret_withheld",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(delete_old_records, migrations.RunPython.noop),
    ]

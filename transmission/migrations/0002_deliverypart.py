"""Every file of a FIT-Connect submission becomes a part of its own (the form PDF and each upload).

A delivery announced but not submitted before this change has no key id: its resumed attempt
announces a new submission with every part (the old one, incomplete, expires at FITKO).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("citizen_requests", "0002_attachments_payment"),
        ("transmission", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeliveryPart",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("fitconnect_id", models.UUIDField(verbose_name="attachment id (FIT-Connect)")),
                (
                    "purpose",
                    models.CharField(
                        choices=[("form", "the form as PDF"), ("attachment", "uploaded file")], max_length=20
                    ),
                ),
                ("filename", models.CharField(max_length=200)),
                ("media_type", models.CharField(max_length=50)),
                ("description", models.CharField(blank=True, max_length=200)),
                ("sha512", models.CharField(blank=True, max_length=128)),
                (
                    "delivery",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="parts", to="transmission.delivery"
                    ),
                ),
                (
                    "upload",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="citizen_requests.attachment",
                    ),
                ),
            ],
            options={
                "ordering": ["delivery", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("delivery", "position"), name="delivery_part_position"),
                    models.UniqueConstraint(fields=("delivery", "fitconnect_id"), name="delivery_part_id"),
                ],
            },
        ),
        migrations.AddField(model_name="delivery", name="key_id", field=models.CharField(blank=True, max_length=200)),
        migrations.RemoveField(model_name="delivery", name="attachment_ids"),
    ]

"""Every file of a FIT-Connect submission becomes a part of its own (the form PDF and each upload).

A delivery announced before this change announced one attachment, the form PDF: that id becomes
its form part, so the resumed attempt uploads it under the id the Submission API expects.
"""

import django.db.models.deletion
from django.db import migrations, models


def form_parts_of_announced_deliveries(apps, schema_editor):  # type: ignore[no-untyped-def]
    delivery_model = apps.get_model("transmission", "Delivery")
    part_model = apps.get_model("transmission", "DeliveryPart")
    for delivery in delivery_model.objects.exclude(submission_id="").exclude(attachment_ids=[]):
        part_model.objects.create(
            delivery=delivery,
            position=0,
            fitconnect_id=delivery.attachment_ids[0],
            purpose="form",
            filename="antrag.pdf",
            media_type="application/pdf",
        )


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
        migrations.RunPython(form_parts_of_announced_deliveries, migrations.RunPython.noop),
        migrations.RemoveField(model_name="delivery", name="attachment_ids"),
    ]

"""Routing invalidation by NOTIFY (see tenants.routing) and the index of due background work."""

from django.db import migrations, models
from django.utils import timezone

ROUTING_TRIGGERS = """
CREATE FUNCTION kommunal_routing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'tenants_domain' THEN
        IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('kommunal_routing', 'host:' || OLD.domain);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('kommunal_routing', 'host:' || NEW.domain);
        END IF;
    ELSE
        PERFORM pg_notify('kommunal_routing', 'commune:' || OLD.id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER tenants_domain_routing AFTER INSERT OR UPDATE OR DELETE ON tenants_domain
    FOR EACH ROW EXECUTE FUNCTION kommunal_routing_changed();
CREATE TRIGGER tenants_commune_routing AFTER UPDATE ON tenants_commune
    FOR EACH ROW WHEN (
        (OLD.schema_name, OLD.name, OLD.slug, OLD.status, OLD.ags, OLD.kind, OLD.land, OLD.landkreis, OLD.placement)
        IS DISTINCT FROM
        (NEW.schema_name, NEW.name, NEW.slug, NEW.status, NEW.ags, NEW.kind, NEW.land, NEW.landkreis, NEW.placement)
    )
    EXECUTE FUNCTION kommunal_routing_changed();
CREATE TRIGGER tenants_commune_routing_deleted AFTER DELETE ON tenants_commune
    FOR EACH ROW EXECUTE FUNCTION kommunal_routing_changed();
"""
DROP_ROUTING_TRIGGERS = """
DROP TRIGGER tenants_commune_routing_deleted ON tenants_commune;
DROP TRIGGER tenants_commune_routing ON tenants_commune;
DROP TRIGGER tenants_domain_routing ON tenants_domain;
DROP FUNCTION kommunal_routing_changed();
"""


def index_existing_work(apps, schema_editor):
    """Work created before the index existed: every schema is visited once, then only when due."""
    Commune = apps.get_model("tenants", "Commune")
    DueWork = apps.get_model("tenants", "DueWork")
    now = timezone.now()
    schemas = list(Commune.objects.filter(status__in=["active", "suspended"]).values_list("schema_name", flat=True))
    DueWork.objects.bulk_create(
        [DueWork(schema_name=schema, kind="webhook_delivery", due_at=now) for schema in schemas]
        + [DueWork(schema_name=schema, kind="idempotency_purge", due_at=now) for schema in ["public", *schemas]]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_commune_placement"),
    ]

    operations = [
        migrations.RunSQL(ROUTING_TRIGGERS, DROP_ROUTING_TRIGGERS),
        migrations.CreateModel(
            name="DueWork",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("schema_name", models.CharField(max_length=63)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("webhook_delivery", "webhook delivery"),
                            ("idempotency_purge", "purge of idempotency records"),
                            ("appointment_housekeeping", "appointment reminders and waitlist offers"),
                        ],
                        max_length=30,
                    ),
                ),
                ("due_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("schema_name", "kind"), name="due_work_once_per_schema")
                ],
            },
        ),
        migrations.RunPython(index_existing_work, migrations.RunPython.noop),
    ]

"""Celery application: tasks run in the schema of the commune that queued them.

tenant-schemas-celery stores the schema name in each task's headers and switches to it in the
worker, so a task queued on one commune's host can never run against another commune's data.
"""

import os

from celery.signals import beat_init
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunal.settings")

app = CeleryApp("kommunal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _publish_queue_depth(**kwargs: object) -> None:
    """The scheduler publishes the queue depth metric (kommunal.queue_metrics)."""
    from kommunal import queue_metrics

    queue_metrics.start_in_background()

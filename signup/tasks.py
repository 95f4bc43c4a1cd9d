"""Background jobs of the signup (run by Celery, or in-process when no broker is configured)."""

from kommunal.celery import app
from signup import provisioning


@app.task(name="signup.provision_application", acks_late=True)
def provision_application(application_id: str) -> str:
    """Provision the commune of an approved application; returns the application's final status."""
    return provisioning.run(application_id).status

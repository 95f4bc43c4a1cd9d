"""What the audit log's action codes and detail keys mean, in words for the operator console.

The log stores stable codes (``commune.status_changed``) and a JSON object of details; readers
see a translated label and a definition list instead. A code without a label is shown as it is,
so a new action is readable (if not pretty) before it gets one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from citizen_requests.models import Status as RequestStatus
from tenants.models import Commune

ACTION_LABELS: Mapping[str, Any] = {
    "accounts.locked_out": _("Sign-in locked after repeated failures"),
    "api_key.created": _("API key created"),
    "api_key.revoked": _("API key revoked"),
    "appointment.booked": _("Appointment booked"),
    "appointment.cancelled": _("Appointment cancelled"),
    "appointment.checked_in": _("Citizen checked in"),
    "appointment.moved": _("Appointment moved"),
    "appointment.no_show": _("Citizen did not come"),
    "appointment.offer_expired": _("Waiting-list offer expired"),
    "appointment.offered": _("Appointment offered from the waiting list"),
    "appointment.waitlist_joined": _("Joined the waiting list"),
    "billing.customer_created": _("Billing customer created"),
    "billing.customer_saved": _("Billing details saved"),
    "billing.einvoice_saved": _("E-invoice details saved"),
    "billing.item_added": _("Billed service added"),
    "billing.item_removed": _("Billed service removed"),
    "billing.paid_up": _("Overdue invoices paid"),
    "billing.past_due": _("Payment overdue"),
    "billing.price_set": _("Price set"),
    "billing.price_synced": _("Price sent to Stripe"),
    "billing.subscription_canceled": _("Subscription cancelled"),
    "billing.subscription_created": _("Subscription created"),
    "billing.suspended": _("Suspended for non-payment"),
    "billing.xrechnung_sent": _("XRechnung sent"),
    "branding.domain_added": _("Host name added"),
    "branding.domain_claim_released": _("Claim on a host name released"),
    "branding.domain_removed": _("Host name removed"),
    "branding.domain_verified": _("Host name verified"),
    "branding.header_removed": _("Header image removed"),
    "branding.header_replaced": _("Header image replaced"),
    "branding.logo_replaced": _("Coat of arms replaced"),
    "branding.updated": _("Branding changed"),
    "catalog.loaded": _("Catalogue loaded"),
    "catalog.version_drafted": _("Catalogue version drafted"),
    "catalog.version_published": _("Catalogue version published"),
    "catalog.version_retired": _("Catalogue version retired"),
    "citizen.account_deleted": _("Citizen account deleted"),
    "citizen.login": _("Citizen signed in"),
    "citizen.login_refused": _("Citizen sign-in refused"),
    "citizen.login_settings_changed": _("Citizen sign-in settings changed"),
    "citizen.message_replied": _("Citizen replied to a message"),
    "citizen.message_sent": _("Message sent to a citizen"),
    "citizen.personal_data_removed": _("Personal data removed"),
    "commune.discarded": _("Commune discarded"),
    "commune.export_downloaded": _("Archive downloaded"),
    "commune.exported": _("Commune exported"),
    "commune.import_failed": _("Import failed"),
    "commune.imported": _("Commune imported"),
    "commune.migrated": _("Schema migrated"),
    "commune.moved": _("Commune moved to another database server"),
    "commune.offboarded": _("Commune offboarded"),
    "commune.purged": _("Commune data deleted"),
    "commune.registered": _("Commune registered"),
    "commune.status_changed": _("Status changed"),
    "delivery.retried": _("Delivery retried"),
    "legal.accessibility_feedback": _("Accessibility feedback received"),
    "legal.updated": _("Legal page changed"),
    "operator.invited": _("Operator invited"),
    "operator.otp_enrolled": _("Second factor set up"),
    "operator.role_set": _("Operator role set"),
    "operator.token_created": _("API token created"),
    "operator.token_revoked": _("API token revoked"),
    "payments.account_connected": _("Payment account connected"),
    "payments.refund_requested": _("Refund requested"),
    "request.payment_changed": _("Payment state of a request changed"),
    "request.status_changed": _("Request status changed"),
    "request.submitted": _("Request submitted"),
    "service.activated": _("Service activated"),
    "service.deactivated": _("Service deactivated"),
    "service.reactivated": _("Service reactivated"),
    "service.settings_changed": _("Service settings changed"),
    "service.texts_changed": _("Service texts changed"),
    "service.upgraded": _("Service upgraded"),
    "signup.approved": _("Application approved"),
    "signup.domain_trusted": _("E-mail domain trusted"),
    "signup.expired": _("Application expired"),
    "signup.provisioned": _("Commune provisioned"),
    "signup.provisioning_failed": _("Provisioning failed"),
    "signup.rejected": _("Application rejected"),
    "signup.submitted": _("Application submitted"),
    "signup.updated": _("Application changed"),
    "signup.verified": _("Applicant's e-mail address confirmed"),
    "webhook.changed": _("Webhook changed"),
    "webhook.deleted": _("Webhook deleted"),
    "webhook.subscribed": _("Webhook subscribed"),
}

# Detail keys in the order they are shown: what changed first, then the rest; unknown keys last.
KEY_LABELS: Mapping[str, Any] = {
    "from_status": _("Previous status"),
    "to_status": _("New status"),
    "reason": _("Reason"),
    "service": _("Service"),
    "services": _("Services"),
    "version": _("Version"),
    "path": _("Archive"),
    "sha256": _("SHA-256"),
    "counts": _("Rows"),
    "files": _("Files"),
    "ags": _("AGS"),
    "amount": _("Amount (cent)"),
    "attachment": _("With attachment"),
    "claimed_by": _("Claimed by"),
    "client": _("Client address"),
    "created": pgettext_lazy("catalogue entries", "Created"),
    "destination": _("Destination"),
    "dpa_version": _("Data processing agreement (version)"),
    "fields": _("Fields"),
    "keys": _("Files"),
    "message": _("Message"),
    "new_versions": _("New versions"),
    "payment_status": _("Payment status"),
    "price": _("Price"),
    "provider": _("Provider"),
    "retention_days": _("Retention (days)"),
    "source": _("Source"),
    "source_schema": _("Source schema"),
    "terms_version": _("Terms of use (version)"),
    "trust_level": _("Trust level"),
    "updated": pgettext_lazy("catalogue entries", "Updated"),
}


NO_VALUE = "\N{EN DASH}"


_KEY_ORDER = {key: position for position, key in enumerate(KEY_LABELS)}


def action_label(action: str) -> str:
    """The translated label of an audit action code, or the code itself when it has none."""
    return str(ACTION_LABELS.get(action, action))


def _value(value: Any) -> str:
    if value is None or value == "":
        return NO_VALUE
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float):
        return number_format(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value) or NO_VALUE
    return str(value)


# Actions whose detail ``fields`` lists changed fields of a model, shown by their verbose names.
CHANGED_FIELDS_OF: Mapping[str, str] = {
    "branding.updated": "branding.Branding",
    "webhook.changed": "integrations.WebhookSubscription",
}

# Status codes in the details, by the prefix of the action that recorded them.
STATUS_LABELS: Mapping[str, Mapping[str, Any]] = {
    "commune.": dict(Commune.Status.choices),
    "request.": dict(RequestStatus.choices),
}
STATUS_KEYS = ("from_status", "to_status")


def _status_label(action: str, value: Any) -> Any:
    for prefix, labels in STATUS_LABELS.items():
        if action.startswith(prefix) and isinstance(value, str) and value in labels:
            return labels[value]
    return value


def detail_items(data: Any, action: str = "") -> list[tuple[str, str]]:
    """The details of an audit event as (translated key, readable value) pairs, in the order of ``KEY_LABELS``.

    Status codes of communes and requests are shown by their translated label.
    """
    if not isinstance(data, Mapping):
        return [(str(_("Details")), _value(data))] if data else []
    return [
        (
            str(KEY_LABELS.get(key, key.replace("_", " "))),
            _value(_readable(action, key, value)),
        )
        for key, value in sorted(data.items(), key=lambda item: _KEY_ORDER.get(item[0], len(_KEY_ORDER)))
    ]


def _readable(action: str, key: str, value: Any) -> Any:
    """Status codes by their label, the changed fields of a model by their verbose names."""
    if key in STATUS_KEYS:
        return _status_label(action, value)
    model = CHANGED_FIELDS_OF.get(action)
    if key == "fields" and model is not None and isinstance(value, list):
        return [_verbose_name(apps.get_model(model), name) for name in value]
    return value


def _verbose_name(model: Any, name: Any) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, TypeError):
        return str(name)

"""Events other apps react to (billing, outbound webhooks); sent after the transaction commits."""

from django.dispatch import Signal

# Sent with ``activation`` (an Activation) and ``commune`` (the tenants.Commune), while the
# connection is routed to that commune's schema.
service_activated = Signal()
service_deactivated = Signal()

"""The events integrators can subscribe to."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "request.submitted": _("A citizen submitted a request"),
    "request.status_changed": _("The status of a request changed"),
    "service.activated": _("The commune activated a service"),
    "service.deactivated": _("The commune deactivated a service"),
}
# Sent only by "send a test event"; not subscribable.
PING = "ping"

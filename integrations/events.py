"""The events integrators can subscribe to."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "request.submitted": _("A citizen submitted a request"),
    "request.status_changed": _("The status of a request changed"),
    "service.activated": _("The commune activated a service"),
    "service.deactivated": _("The commune deactivated a service"),
    "appointment.booked": _("An appointment was booked"),
    "appointment.moved": _("An appointment was moved"),
    "appointment.cancelled": _("An appointment was cancelled"),
    "appointment.checked_in": _("A citizen checked in for an appointment"),
    "appointment.no_show": _("A citizen did not come to an appointment"),
}
# Sent only by "send a test event"; not subscribable.
PING = "ping"

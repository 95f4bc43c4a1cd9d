"""Events other apps react to (outbound webhooks); sent after the transaction commits.

``request_submitted`` carries ``request`` (a CitizenRequest) and ``commune``;
``request_status_changed`` carries ``request``, ``change`` (a StatusChange) and ``commune``.
Both are sent while the connection is routed to that commune's schema.
"""

from django.dispatch import Signal

request_submitted = Signal()
request_status_changed = Signal()

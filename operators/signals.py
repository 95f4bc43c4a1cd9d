"""Signals of the operator console.

``commune_offboarded`` is sent once the transaction that offboarded a commune has committed,
with ``commune=`` (the Commune, now ``offboarded``), ``actor=`` (who did it) and ``export_path=``
(the storage path of the archive made before). Billing connects a receiver that cancels the
commune's Stripe subscription; receivers must be idempotent (the signal may be sent again when an
offboarding is retried).
"""

from django.dispatch import Signal

commune_offboarded = Signal()

"""Local stand-ins for the external systems Kommunal talks to (development and tests only).

Each module here is a small server that speaks the documented protocol of one external system
on loopback (Stripe, an OpenID Connect provider, FIT-Connect, ...). ``make run`` starts all of
them through ``python -m devservices run`` and hands their addresses to the platform through the
same environment variables a real deployment sets; the test suite starts the ones it needs as
fixtures. Production never imports this package: a real deployment configures real credentials
and nothing here runs. See README.md.
"""

"""Versions of the texts an applicant accepts; each acceptance is stored with its version and time.

Change a version whenever the text under ``signup/templates/signup/legal/`` changes in substance.
"""

TERMS_VERSION = "2026-11-01"
DPA_VERSION = "2026-11-01"

"""Public-schema index of every commune's deliveries, for the operator console (one query)."""

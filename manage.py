#!/usr/bin/env python
"""Django's command-line utility for Kommunal (the same as the ``kommunal`` command)."""

from kommunal.cli import main

if __name__ == "__main__":
    main()

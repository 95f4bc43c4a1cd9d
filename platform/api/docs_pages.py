"""Swagger UI and Redoc under the Content-Security-Policy: own static files, no inline script.

The bundles come from drf-spectacular-sidecar (served by the platform, no CDN) and Swagger UI's
start script is a separate request (``SpectacularSwaggerSplitView``). Both bundles set styles at
run time and Redoc starts a web worker from a ``blob:`` URL: only these pages allow that.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_POLICY = {"style-src": [UNSAFE_INLINE], "img-src": ["data:"], "worker-src": [SELF, "blob:"]}


@method_decorator(csp_update(DOCS_POLICY), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "kommunal/api/swagger_ui.html"


@method_decorator(csp_update(DOCS_POLICY), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "kommunal/api/redoc.html"

"""``/docs``: the API's interactive reference, served whole by this server.

FastAPI's own ``/docs`` and ``/redoc`` load their scripts from a CDN (a blank page offline,
and a third party told who reads our docs); they are switched off in `web.server.app`. This page
loads Swagger UI from the vendored copy (web/pages/static/vendor/swagger-ui, written by
scripts/vendor_static.mjs from the version package.json pins) and starts it from
web/pages/static/docs.js, under the same no-inline-script policy as every page.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()

VENDOR = "/static/vendor/swagger-ui"
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>共治 gongzhi API · /api/v1</title>
<link rel="stylesheet" href="{VENDOR}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{VENDOR}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)

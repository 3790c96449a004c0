"""/docs (Swagger UI) and /redoc, with every file served by the ingress itself.

FastAPI's own pages load their scripts from a CDN, which the CSP (script-src 'self') blocks and
a machine without internet cannot reach. The scripts and styles come from the fastapi-offline
package; the pages and Swagger UI's start script are ours, so no script is inline."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from ingress.errors import ApiError

router = APIRouter(include_in_schema=False)
PAGES = resources.files("ingress.docs")
VENDOR = resources.files("fastapi_offline") / "static"
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
VENDOR_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
OWN_FILES = ("swagger-start.js",)
CACHE = {"Cache-Control": "public, max-age=86400"}


@router.get("/docs", response_class=HTMLResponse)
async def read_swagger_ui() -> HTMLResponse:
    return HTMLResponse((PAGES / "swagger.html").read_text(), headers={"Cache-Control": "no-cache"})


@router.get("/redoc", response_class=HTMLResponse)
async def read_redoc() -> HTMLResponse:
    return HTMLResponse((PAGES / "redoc.html").read_text(), headers={"Cache-Control": "no-cache"})


@router.get("/docs-assets/{name}")
async def read_docs_asset(name: str) -> Response:
    if name in VENDOR_FILES:
        data = (VENDOR / name).read_bytes()
    elif name in OWN_FILES:
        data = (PAGES / name).read_bytes()
    else:
        raise ApiError(404, "not_found", "no such file")
    return Response(data, media_type=TYPES[name[name.rindex(".") :]], headers=CACHE)

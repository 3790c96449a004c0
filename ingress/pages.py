"""The browser pages' files (the dashboard's, the live page's), served from their packages."""

from __future__ import annotations

from importlib.resources.abc import Traversable

from fastapi.responses import Response

from ingress.errors import ApiError


def page_file(folder: Traversable, name: str, types: dict[str, str]) -> Response:
    """A page's script or style from `folder`; only the files named in `types`."""
    if name not in types:
        raise ApiError(404, "not_found", "no such file")
    return Response((folder / name).read_bytes(), media_type=types[name])

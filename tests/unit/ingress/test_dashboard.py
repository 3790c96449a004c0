"""The dashboard's page and every file it references come from ingress/dashboard/ (no services)."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from ingress.dashboard import routes


def client() -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(routes.router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_the_page_and_every_file_it_references_are_served() -> None:
    async with client() as http:
        page = await http.get("/dashboard")
        files = {}
        referenced = re.findall(r'(?:href|src)="(/dashboard/[^"]+)"', page.text)
        for path in referenced:
            files[path] = await http.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>Evently live dashboard</title>" in page.text
    assert sorted(files) == ["/dashboard/dashboard.css", "/dashboard/dashboard.js"]
    for path, answer in files.items():
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(routes.FILES[path.rsplit("/", 1)[1]])
        assert answer.content

"""The server-rendered public forms (no login) under hostile input: never a 5xx."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from core.routes import iter_routes


def _public_page_posts(app) -> list[str]:
    out = []
    for path, route in iter_routes(app.routes):
        if isinstance(route, APIRoute) and "POST" in route.methods and path.startswith(("/notify", "/forms")):
            out.append(path.replace("{token}", "not-a-real-token-0123456789"))
    return sorted(out)


HOSTILE = [
    ("application/x-www-form-urlencoded", b"first_name=a%00b&last_name=x"),
    ("application/x-www-form-urlencoded", b"first_name=%ff%fe%fd&last_name=x"),
    ("application/x-www-form-urlencoded", b"first_name=" + b"%41" * 20000),
    ("application/x-www-form-urlencoded", b"&".join(b"f%d=1" % i for i in range(3000))),
    ("multipart/form-data; boundary=XyZ",
     b"--XyZ\r\nContent-Disposition: form-data; name=\"first_name\"\r\n\r\na\x00b\r\n--XyZ--\r\n"),
    ("multipart/form-data; boundary=XyZ", b"--XyZ\r\nnot really multipart"),
    ("application/json", b'{"first_name": "x"}'),
    ("text/plain", b"\xff\xfe\x00\x00"),
]


def test_public_page_posts_exist(app) -> None:
    assert _public_page_posts(app), "no public form POST routes found"


@pytest.mark.parametrize("content_type,raw", HOSTILE, ids=range(len(HOSTILE)))
def test_public_pages_never_500(client: TestClient, app, content_type: str, raw: bytes) -> None:
    for path in _public_page_posts(app):
        r = client.post(path, content=raw, headers={"Content-Type": content_type, "Origin": "http://testserver"})
        assert r.status_code < 500, (path, r.status_code, r.text[:300])
        assert "Traceback" not in r.text


def test_public_pages_oversized_is_413(client: TestClient, app) -> None:
    for path in _public_page_posts(app):
        r = client.post(path, content=b"a=" + b"x" * (70 * 1024),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413, (path, r.status_code)

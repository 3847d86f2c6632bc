"""The staff app's build as the service serves it (issue 17): no inline script or style (the CSP of
/app allows none), hashed asset names (cached for a year), first-load JavaScript within 200 KB
gzipped, exact dependency versions, and the generated API types in step with openapi/openapi.json.

`make test` builds web/ before pytest; run alone, these tests fail with that instruction.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DIST = WEB / "dist"
FIRST_LOAD_JS_BUDGET = 200 * 1024  # bytes, gzipped (issue 17)


class _Index(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_scripts: list[str] = []
        self.styles: list[str] = []
        self.style_attrs: list[str] = []
        self.stylesheets: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a:
            self.style_attrs.append(tag)
        if tag == "script":
            self.scripts.append(a)
            self._in_script = "src" not in a
        if tag == "style":
            self.styles.append(tag)
        if tag == "link" and a.get("rel") in ("stylesheet", "modulepreload"):
            self.stylesheets.append(a.get("href") or "")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


@pytest.fixture(scope="module")
def index() -> _Index:
    if not (DIST / "index.html").exists():
        pytest.fail("the staff app is not built: run `make test` (it builds web/ first)")
    parser = _Index()
    parser.feed((DIST / "index.html").read_text(encoding="utf-8"))
    return parser


def _asset(href: str) -> Path:
    assert href.startswith("/app/assets/"), href
    return DIST / href.removeprefix("/app/")


def test_no_inline_script_or_style(index: _Index) -> None:
    assert not index.inline_scripts
    assert not index.styles
    assert not index.style_attrs
    assert all(s.get("src") for s in index.scripts)


def test_assets_have_hashed_names_and_no_source_maps() -> None:
    files = [p for p in (DIST / "assets").iterdir()]
    assert files
    for p in files:
        assert re.search(r"-[A-Za-z0-9_-]{8}\.[a-z0-9]+$", p.name), p.name
    assert not list(DIST.rglob("*.map"))


def test_first_load_javascript_within_budget(index: _Index) -> None:
    entry = [_asset(str(s["src"])) for s in index.scripts]
    preloads = [_asset(h) for h in index.stylesheets if h.endswith(".js")]
    total = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in entry + preloads)
    print(f"first-load JavaScript: {total / 1024:.1f} KB gzipped")
    assert total <= FIRST_LOAD_JS_BUDGET, f"{total / 1024:.1f} KB gzipped > 200 KB"


def test_dependencies_are_pinned_exactly() -> None:
    package = json.loads((WEB / "package.json").read_text())
    for group in ("dependencies", "devDependencies"):
        for name, spec in package.get(group, {}).items():
            assert re.fullmatch(r"\d+\.\d+\.\d+", spec), f"{name}: {spec} is not an exact version"
    lock = json.loads((WEB / "package-lock.json").read_text())
    root = lock["packages"][""]
    assert root.get("dependencies") == package.get("dependencies")
    assert root.get("devDependencies") == package.get("devDependencies")


def test_generated_api_types_match_openapi(tmp_path: Path) -> None:
    tool = WEB / "node_modules" / ".bin" / "openapi-typescript"
    node = shutil.which("node") or str(ROOT / ".venv" / "bin" / "node")
    if not tool.exists():
        pytest.fail("web/node_modules is not installed: run `make test`")
    out = tmp_path / "schema.d.ts"
    env_path = f"{Path(node).parent}:{os.environ.get('PATH', '')}"
    subprocess.run([str(tool), "../openapi/openapi.json", "-o", str(out)], cwd=WEB, check=True,
                   capture_output=True, env={**os.environ, "PATH": env_path})
    assert out.read_text() == (WEB / "src" / "api" / "schema.d.ts").read_text(), \
        "web/src/api/schema.d.ts differs from openapi/openapi.json: run `make openapi`"

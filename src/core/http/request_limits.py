"""Pure ASGI middleware that keeps hostile input away from the application.

- Bodies larger than ECR_MAX_BODY_BYTES (public paths: ECR_MAX_PUBLIC_BODY_BYTES) are refused
  with 413 problem+json: on ``Content-Length`` before a byte of the body is read, and for
  chunked bodies as soon as the running count passes the limit (the rest is never read).
- JSON bodies that are not UTF-8, nest deeper than ECR_MAX_JSON_DEPTH, or carry NUL
  characters or lone surrogates (which no database column can store) are refused with 422.
- NUL characters in the path or the query string are refused with 422.

A body within the limit is buffered (at most the limit) and replayed to the application, so
nothing downstream ever sees more than the limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import AppError, BadRequest, PayloadTooLarge, ValidationFailed, problem_response

PUBLIC_PREFIXES = ("/api/v1/public/", "/notify", "/forms")
_STRUCTURAL = re.compile(rb'["\\\[\]{}]')
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_QUERY_NUL = re.compile(rb"%00|\x00")


def json_too_deep(body: bytes, max_depth: int) -> bool:
    """True when arrays/objects nest deeper than max_depth (strings are skipped)."""
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _STRUCTURAL.finditer(body):
        pos = match.start()
        char = body[pos]
        if in_string:
            if pos == escaped_at:
                continue
            if char == 0x5C:  # backslash: the next byte is escaped
                escaped_at = pos + 1
            elif char == 0x22:  # closing quote
                in_string = False
            continue
        if char == 0x22:
            in_string = True
        elif char in (0x5B, 0x7B):
            depth += 1
            if depth > max_depth:
                return True
        elif char in (0x5D, 0x7D):
            depth -= 1
    return False


def _bad_strings(value: Any) -> bool:
    """True when any key or string in a parsed JSON value holds NUL or a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BAD_CHARS.search(item):
                return True
        elif isinstance(item, dict):
            for k, v in item.items():
                if _BAD_CHARS.search(k):
                    return True
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def check_json_body(body: bytes, max_depth: int) -> AppError | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return ValidationFailed.field(["body"], "the request body is not valid UTF-8")
    if json_too_deep(body, max_depth):
        return ValidationFailed.field(["body"], f"the JSON nests deeper than {max_depth} levels")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None  # not JSON at all: the application answers with its own 422
    if _bad_strings(value):
        return ValidationFailed.field(
            ["body"], "text must not contain NUL characters or unpaired surrogates"
        )
    return None


def check_form_body(body: bytes) -> AppError | None:
    from urllib.parse import parse_qsl

    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        return ValidationFailed.field(["body"], "the form is not URL-encoded")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=10_000)
    except UnicodeDecodeError:
        return ValidationFailed.field(["body"], "the form is not valid UTF-8")
    except ValueError:
        return ValidationFailed.field(["body"], "the form has too many fields")
    for key, value in pairs:
        if _BAD_CHARS.search(key) or _BAD_CHARS.search(value):
            return ValidationFailed.field(["body"], "text must not contain NUL characters")
    return None


class RequestLimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = 1024 * 1024,
        max_public_body_bytes: int = 64 * 1024,
        max_json_depth: int = 32,
        public_prefixes: Iterable[str] = PUBLIC_PREFIXES,
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_public = min(max_public_body_bytes, max_body_bytes)
        self.max_depth = max_json_depth
        self.public_prefixes = tuple(public_prefixes)

    def limit_for(self, path: str) -> int:
        return self.max_public if path.startswith(self.public_prefixes) else self.max_body

    async def _reject(self, error: AppError, scope: Scope, receive: Receive, send: Send,
                      *, close: bool = False) -> None:
        if close:
            error.headers["Connection"] = "close"
        response = problem_response(error, Request(scope))
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if "\x00" in path:
            await self._reject(ValidationFailed.field(["path"], "must not contain NUL characters"),
                               scope, receive, send)
            return
        if _QUERY_NUL.search(scope.get("query_string", b"")):
            await self._reject(ValidationFailed.field(["query"], "must not contain NUL characters"),
                               scope, receive, send)
            return

        limit = self.limit_for(path)
        headers = scope.get("headers") or []
        lengths = [v for k, v in headers if k == b"content-length"]
        chunked = any(k == b"transfer-encoding" for k, _ in headers)
        content_type = next((v.decode("latin-1") for k, v in headers if k == b"content-type"), "")
        declared: int | None = None
        if lengths:
            raw = lengths[0].strip()
            if len(set(lengths)) > 1 or not raw.isdigit() or len(raw) > 18:
                await self._reject(BadRequest("invalid Content-Length"), scope, receive, send, close=True)
                return
            declared = int(raw)
            if declared > limit:
                await self._reject(self._too_large(limit), scope, receive, send, close=True)
                return
        if not chunked and not declared:
            await self.app(scope, receive, send)  # no body
            return

        # Read the body, counting, never past the limit.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._reject(self._too_large(limit), scope, receive, send, close=True)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        del chunks

        error: AppError | None = None
        if body and (_is_json(content_type) or not content_type):
            error = check_json_body(body, self.max_depth)
        elif body and content_type.lower().startswith("application/x-www-form-urlencoded"):
            error = check_form_body(body)
        if error is not None:
            await self._reject(error, scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _too_large(limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(f"the request body is larger than {limit} bytes", max_bytes=limit)

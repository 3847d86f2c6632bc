"""Per-client-address rate limit for public POSTs, with the `limits` library.

In memory by default; shared through Redis when ECR_REDIS_URL is set, so several replicas
share one limit (moving window, keys prefixed ``ecr-ratelimit``). If Redis cannot be reached
the limit is still applied, per instance, and a warning is logged: a Redis outage neither
opens the gate nor takes the public forms down.

The client address is the TCP peer. ``X-Forwarded-For`` is believed only when the peer is
one of ECR_TRUSTED_PROXIES (addresses or networks); the address used is then the right-most
hop that is not itself a trusted proxy, so a client cannot pick its own address by sending
the header. IPv6 clients are counted per /64 (one host usually holds a whole /64).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.errors import RateLimited
from core.settings import Settings

log = logging.getLogger("core.ratelimit")

REDIS_KEY_PREFIX = "ecr-ratelimit"
LOGIN_BUCKET = "login"
PUBLIC_POST_BUCKET = "public-post"
SHARED_RETRY_SECONDS = 15.0
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class LocalStorage(MemoryStorage):
    """limits' in-memory storage, with old entries dropped inline at most once a second.

    ``MemoryStorage`` drops them from a short ``threading.Timer`` that every hit restarts when
    it is not running: a new thread per public POST at ordinary rates, and at high rates a
    thread walking and copying the whole store many times a second while it holds the GIL
    (figures in bench/README.md). Dropping old
    entries is housekeeping only: the moving window's decision reads the entry at position
    ``limit - 1`` with its timestamp, and counters expire when they are read. The override is
    of the name-mangled hook the library's own methods call; tests/core/test_ratelimit_storage.py
    fails if a later release renames it (a thread would start again)."""

    EXPIRE_EVERY_SECONDS = 1.0

    def __init__(self) -> None:
        super().__init__()
        self._next_expiry = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the library's mangled name)
        now = time.monotonic()
        if now >= self._next_expiry:
            self._next_expiry = now + self.EXPIRE_EVERY_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def parse_networks(values: list[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


class PublicRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.item: RateLimitItem = parse(settings.public_rate_limit)
        self.items: dict[str, RateLimitItem] = {LOGIN_BUCKET: parse(settings.login_rate_limit)}
        self.local = MovingWindowRateLimiter(LocalStorage())
        self.shared: MovingWindowRateLimiter | None = None
        if settings.redis_url:
            storage = storage_from_string(
                settings.redis_url,
                key_prefix=REDIS_KEY_PREFIX,
                wrap_exceptions=True,
                socket_connect_timeout=1.0,
                socket_timeout=1.0,
            )
            self.shared = MovingWindowRateLimiter(storage)
        self.trusted = parse_networks(settings.trusted_proxies)
        self._warned_at = 0.0
        self._shared_down_until = 0.0  # after a Redis failure, stay local for a while

    # -- who is asking ---------------------------------------------------------------------
    def _is_trusted(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(ip in net for net in self.trusted)

    def client_address(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if not self.trusted:
            return peer
        try:
            peer_ip = ipaddress.ip_address(peer)
        except ValueError:
            return peer
        if not self._is_trusted(peer_ip):
            return peer
        # Walk X-Forwarded-For from the right, skipping our own proxies. Several headers are
        # joined in order (RFC 9110 list semantics).
        forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            try:
                ip = ipaddress.ip_address(hop)
            except ValueError:
                # Garbage we cannot attribute: count it against the proxy that passed it on.
                return peer
            if not self._is_trusted(ip):
                return str(ip)
        return peer

    @staticmethod
    def bucket_key(address: str) -> str:
        """IPv6 addresses are counted per /64; anything else as is."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return address
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    # -- counting --------------------------------------------------------------------------
    def _hit(self, limiter: MovingWindowRateLimiter, bucket: str, who: str) -> tuple[bool, float]:
        item = self.items.get(bucket, self.item)
        allowed = limiter.hit(item, bucket, who)
        reset = 0.0
        if not allowed:
            reset, _remaining = limiter.get_window_stats(item, bucket, who)
        return allowed, reset

    def check(self, bucket: str, address: str) -> tuple[bool, int]:
        """Count one hit; returns (allowed, retry_after_seconds)."""
        who = self.bucket_key(address)
        now = time.monotonic()
        if self.shared is not None and now >= self._shared_down_until:
            try:
                allowed, reset = self._hit(self.shared, bucket, who)
            except (StorageError, OSError) as exc:
                # Not every request should wait for a dead Redis: retry it in a while.
                self._shared_down_until = now + SHARED_RETRY_SECONDS
                if now - self._warned_at > 60:
                    self._warned_at = now
                    log.warning("rate-limit store unreachable; limiting per instance",
                                extra={"error": type(exc).__name__})
                allowed, reset = self._hit(self.local, bucket, who)
        else:
            allowed, reset = self._hit(self.local, bucket, who)
        retry_after = max(1, math.ceil(reset - time.time())) if not allowed else 0
        return allowed, retry_after

    def hit(self, bucket: str, request: Request,
            message: str = "too many submissions from your address; try again later") -> None:
        allowed, retry_after = self.check(bucket, self.client_address(request))
        if not allowed:
            raise RateLimited(retry_after, message)


def get_limiter(app_state: Any) -> PublicRateLimiter:
    limiter = getattr(app_state, "public_rate_limiter", None)
    if limiter is None:
        limiter = app_state.public_rate_limiter = PublicRateLimiter(app_state.settings)
    return limiter


def _limiter(request: Request) -> PublicRateLimiter:
    return get_limiter(request.app.state)


async def _hit(request: Request, bucket: str, message: str | None = None) -> None:
    """Counting in memory is a few microseconds: done on the event loop (no threadpool hop).
    With Redis it is network I/O that may time out: done in the threadpool."""
    limiter = _limiter(request)
    args = (bucket, request) if message is None else (bucket, request, message)
    if limiter.shared is None:
        limiter.hit(*args)
    else:
        await run_in_threadpool(limiter.hit, *args)


async def public_rate_limited(request: Request) -> None:
    """Dependency for public POST routes: marks the route public and applies the limit."""
    await _hit(request, PUBLIC_POST_BUCKET)


public_rate_limited.__public__ = True  # type: ignore[attr-defined]
public_rate_limited.__rate_limited__ = True  # type: ignore[attr-defined]


async def login_rate_limited(request: Request) -> None:
    """Dependency for POST /auth/token: slows password guessing per client address
    (ECR_LOGIN_RATE_LIMIT); the route stays public."""
    await _hit(request, LOGIN_BUCKET, "too many sign-in attempts from your address; try again later")


login_rate_limited.__public__ = True  # type: ignore[attr-defined]
login_rate_limited.__rate_limited__ = True  # type: ignore[attr-defined]

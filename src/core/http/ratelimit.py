"""Per-client-address rate limit for public POSTs, with the `limits` library.

In memory by default; shared through Redis when ECR_REDIS_URL is set, so several replicas
share one limit. X-Forwarded-For is believed only from ECR_TRUSTED_PROXIES.
"""

from __future__ import annotations

import ipaddress
import math
import time
from typing import Any

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.errors import RateLimited
from core.settings import Settings


class PublicRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.item = parse(settings.public_rate_limit)
        storage = storage_from_string(settings.redis_url.replace("redis://", "redis://", 1)) if settings.redis_url else MemoryStorage()
        self.limiter = MovingWindowRateLimiter(storage)
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies]

    def client_address(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if not self.trusted:
            return peer
        try:
            peer_ip = ipaddress.ip_address(peer)
        except ValueError:
            return peer
        if not any(peer_ip in net for net in self.trusted):
            return peer
        # Walk X-Forwarded-For from the right, skipping our own proxies.
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            try:
                ip = ipaddress.ip_address(hop)
            except ValueError:
                return peer
            if not any(ip in net for net in self.trusted):
                return str(ip)
        return peer

    def hit(self, bucket: str, request: Request) -> None:
        who = self.client_address(request)
        if not self.limiter.hit(self.item, bucket, who):
            reset, _remaining = self.limiter.get_window_stats(self.item, bucket, who)
            raise RateLimited(max(1, math.ceil(reset - time.time())),
                              "too many submissions from your address; try again later")


def _limiter(request: Request) -> PublicRateLimiter:
    state: Any = request.app.state
    limiter = getattr(state, "public_rate_limiter", None)
    if limiter is None:
        limiter = state.public_rate_limiter = PublicRateLimiter(state.settings)
    return limiter


def public_rate_limited(request: Request) -> None:
    """Dependency for public POST routes: marks the route public and applies the limit."""
    _limiter(request).hit("public-post", request)


public_rate_limited.__public__ = True  # type: ignore[attr-defined]

"""Public POSTs are limited per client address (issue #5): 429 problem+json with Retry-After,
in memory or shared through Redis, X-Forwarded-For believed only from trusted proxies."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from core.routes import iter_routes
from tests.hardening.conftest import make_probe_app, random_ip

PROBE = "/api/v1/public/_probe"


def _post(client: TestClient, headers: dict[str, str] | None = None):
    return client.post(PROBE, json={"a": 1}, headers=headers or {})


def _assert_429(r) -> None:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "rate_limited" and body["status"] == 429
    retry = int(r.headers["retry-after"])
    assert 1 <= retry <= 60


def test_default_limit_is_ten_per_minute() -> None:
    from core.settings import Settings

    assert Settings.model_fields["public_rate_limit"].default == "10/minute"


def test_limit_per_address_in_memory() -> None:
    app = make_probe_app(public_rate_limit="3/minute")
    a, b = random_ip("203.0.113"), random_ip("192.0.2")
    with TestClient(app, client=(a, 1111)) as ca, TestClient(app, client=(b, 2222)) as cb:
        assert [_post(ca).status_code for _ in range(3)] == [201, 201, 201]
        _assert_429(_post(ca))
        # another address is not affected
        assert _post(cb).status_code == 201
        # bodies that fail validation count too (the limit is checked before the body)
        assert ca.post(PROBE, json=[1]).status_code == 429


def test_the_public_notification_endpoints_share_the_limit(session_factory) -> None:
    """The real endpoints: three notifications from one address, then 429 on either."""
    from tests.hardening.payloads import CASE_REVIEW_PATH, CHILD_DEATH_PATH, case_review_body, child_death_body

    app = make_probe_app(session_factory, public_rate_limit="3/minute")
    with TestClient(app, client=(random_ip(), 1)) as c:
        assert c.post(CASE_REVIEW_PATH, json=case_review_body()).status_code == 201
        assert c.post(CHILD_DEATH_PATH, json=child_death_body()).status_code == 201
        assert c.post(CASE_REVIEW_PATH, json=case_review_body()).status_code == 201
        _assert_429(c.post(CHILD_DEATH_PATH, json=child_death_body()))
        _assert_429(c.post(CASE_REVIEW_PATH, json=case_review_body()))
        # reading is not limited
        assert c.get("/livez").status_code == 200


def test_in_memory_limits_are_per_instance() -> None:
    """Without Redis each instance counts alone (the documented embedded default)."""
    ip = random_ip()
    app1 = make_probe_app(public_rate_limit="2/minute")
    app2 = make_probe_app(public_rate_limit="2/minute")
    with TestClient(app1, client=(ip, 1)) as c1, TestClient(app2, client=(ip, 1)) as c2:
        assert [_post(c1).status_code for _ in range(2)] == [201, 201]
        assert _post(c1).status_code == 429
        assert _post(c2).status_code == 201


def test_two_instances_share_one_limit_through_redis(redis_url: str) -> None:
    ip = random_ip()
    app1 = make_probe_app(public_rate_limit="4/minute", redis_url=redis_url)
    app2 = make_probe_app(public_rate_limit="4/minute", redis_url=redis_url)
    with TestClient(app1, client=(ip, 1)) as c1, TestClient(app2, client=(ip, 2)) as c2:
        codes = [_post(c).status_code for c in (c1, c2, c1, c2)]
        assert codes == [201, 201, 201, 201]
        _assert_429(_post(c1))
        _assert_429(_post(c2))
        # a different address still gets through on both instances
    with TestClient(app2, client=(random_ip("192.0.2"), 3)) as c3:
        assert _post(c3).status_code == 201


def test_redis_outage_falls_back_to_a_per_instance_limit() -> None:
    """An unreachable Redis neither opens the gate nor turns public POSTs into 500s."""
    from tests.conftest import free_port

    app = make_probe_app(public_rate_limit="2/minute", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with TestClient(app, client=(random_ip(), 1)) as c:
        assert [_post(c).status_code for _ in range(3)] == [201, 201, 429]


def test_forwarded_for_believed_from_trusted_proxy() -> None:
    app = make_probe_app(public_rate_limit="2/minute", trusted_proxies=["10.0.0.0/8"])
    proxy = ("10.1.2.3", 5555)
    with TestClient(app, client=proxy) as c:
        alice = {"X-Forwarded-For": "203.0.113.10"}
        bob = {"X-Forwarded-For": "203.0.113.11"}
        assert [_post(c, alice).status_code for _ in range(2)] == [201, 201]
        _assert_429(_post(c, alice))
        # the same proxy speaking for someone else: a separate count
        assert _post(c, bob).status_code == 201
        # a client prepending a spoofed hop: the proxy appended the real address on the right
        spoofed = {"X-Forwarded-For": "1.2.3.4, 203.0.113.10"}
        assert _post(c, spoofed).status_code == 429
        # a chain of our own proxies is skipped
        chained = {"X-Forwarded-For": "203.0.113.10, 10.9.9.9"}
        assert _post(c, chained).status_code == 429


def test_spoofed_forwarded_for_from_untrusted_client_changes_nothing() -> None:
    app = make_probe_app(public_rate_limit="2/minute", trusted_proxies=["10.0.0.0/8"])
    with TestClient(app, client=("198.51.100.77", 4444)) as c:
        codes = [_post(c, {"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(1, 5)]
        assert codes == [201, 201, 429, 429]


def test_forwarded_for_ignored_without_trusted_proxies() -> None:
    app = make_probe_app(public_rate_limit="2/minute")
    with TestClient(app, client=("10.1.2.3", 1)) as c:
        codes = [_post(c, {"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(1, 4)]
        assert codes == [201, 201, 429]


def test_ipv6_clients_are_counted_per_64() -> None:
    from core.http.ratelimit import PublicRateLimiter

    key = PublicRateLimiter.bucket_key
    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::9")
    assert key("2001:db8:1:2::1") != key("2001:db8:1:3::1")
    assert key("::ffff:192.0.2.1") == "192.0.2.1"
    assert key("testclient") == "testclient"


def test_bad_rate_limit_setting_is_refused_at_startup() -> None:
    from core.settings import Settings

    with pytest.raises(ValueError):
        Settings(public_rate_limit="plenty")
    with pytest.raises(ValueError):
        Settings(trusted_proxies=["not-a-network"])


def _dependency_calls(dependant) -> set:
    calls = set()
    for dep in dependant.dependencies:
        calls.add(dep.call)
        calls |= _dependency_calls(dep)
    return calls


# Public POSTs under a limit of their own instead of the notification limit.
OWN_LIMIT = {"/api/v1/auth/token": "login_rate_limited", "/api/v1/auth/session": "login_rate_limited"}


def test_every_public_post_is_rate_limited(app) -> None:
    from core.http import ratelimit
    from core.http.ratelimit import public_rate_limited

    missing = []
    for path, route in iter_routes(app.routes):
        if not isinstance(route, APIRoute) or not (route.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            continue
        calls = _dependency_calls(route.dependant)
        is_public = any(getattr(c, "__public__", False) for c in calls)
        expected = getattr(ratelimit, OWN_LIMIT[path]) if path in OWN_LIMIT else public_rate_limited
        if is_public and expected not in calls:
            missing.append(f"{sorted(route.methods)} {path}")
    assert not missing, "public writes without public_rate_limited:\n" + "\n".join(missing)


def test_login_attempts_are_limited_per_address(session_factory) -> None:
    """Password guessing is slowed per client address (ECR_LOGIN_RATE_LIMIT), separately
    from the notification limit."""
    from core.app import create_app
    from core.settings import get_settings

    settings = get_settings().model_copy(update={"login_rate_limit": "3/minute"})
    app = create_app(settings, session_factory, start_worker=False)
    a, b = random_ip("203.0.113"), random_ip("192.0.2")
    form = {"username": "nobody@example.test", "password": "wrong password here"}
    with TestClient(app, client=(a, 1111)) as ca, TestClient(app, client=(b, 2222)) as cb:
        assert [ca.post("/api/v1/auth/token", data=form).status_code for _ in range(3)] == [401] * 3
        _assert_429(ca.post("/api/v1/auth/token", data=form))
        assert cb.post("/api/v1/auth/token", data=form).status_code == 401


# ---- the in-memory store: no thread per hit, old entries still dropped ---------------------------

def test_in_memory_hits_start_no_thread(monkeypatch) -> None:
    """limits' MemoryStorage restarts a 10 ms timer thread on hits; ours expires inline."""
    import threading

    from limits import parse
    from limits.strategies import MovingWindowRateLimiter

    from core.http.ratelimit import LocalStorage

    limiter = MovingWindowRateLimiter(LocalStorage())
    item = parse("1000/minute")
    started: list[threading.Thread] = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (started.append(self), real_start(self))[1])
    for i in range(50):
        assert limiter.hit(item, "public-post", f"198.51.100.{i % 5}")
        threading.Event().wait(0.002)  # longer apart than the library's 10 ms timer, in total
    assert started == []


def test_in_memory_store_still_drops_old_entries(monkeypatch) -> None:
    import time

    from limits import parse
    from limits.strategies import MovingWindowRateLimiter

    from core.http.ratelimit import LocalStorage

    storage = LocalStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("2/second")
    assert limiter.hit(item, "b", "a") and limiter.hit(item, "b", "a")
    assert not limiter.hit(item, "b", "a")  # the window is enforced
    assert sum(len(v) for v in storage.events.values()) == 2
    clock = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: clock)
    monkeypatch.setattr(time, "monotonic", lambda: clock)
    assert limiter.hit(item, "b", "other")  # a later hit runs the housekeeping
    # the first address's expired entries are gone; only the new hit is held
    assert sum(len(v) for v in storage.events.values()) == 1

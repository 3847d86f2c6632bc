"""CD-YYYY-NNNN stays unique when notifications arrive at the same moment (real commits)."""

from __future__ import annotations

import threading

from core.settings import get_settings
from tests.cdop.helpers import notification


def test_concurrent_notifications_get_unique_consecutive_references(committed_db) -> None:
    from cdop import service
    from cdop.schemas import NotificationIn

    settings = get_settings()
    n = 8
    barrier = threading.Barrier(n)
    refs: list[str] = []
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        body = NotificationIn.model_validate(notification(child={"last_name": f"Concurrent{i}", "nhs_number": None}))
        try:
            barrier.wait(timeout=20)
            with committed_db() as s, s.begin():
                refs.append(service.create_notification(s, settings, body, source="public", actor="public").reference)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(refs) == n and len(set(refs)) == n
    years = {r.split("-")[1] for r in refs}
    assert len(years) == 1
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in refs)
    assert numbers == list(range(numbers[0], numbers[0] + n))

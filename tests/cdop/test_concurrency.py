"""Concurrency: CD-YYYY-NNNN stays unique when notifications arrive at the same moment, and one
transition wins when several race on one case (real commits)."""

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


def test_concurrent_transitions_with_one_etag_one_applies_the_rest_412(committed_db) -> None:
    """Four requests apply the same transition to one case at once with the ETag they all read:
    one applies it; the others, serialised behind it (the row lock on PostgreSQL, the write
    queue on SQLite), find the case at its new version and answer 412. The case moved once: one
    hold, one history row, version + 1."""
    import asyncio

    import httpx
    from sqlalchemy import func, select

    from cdop.models import ChildDeath, ChildDeathHold
    from core.app import create_app
    from core.workflow.models import WorkflowHistory
    from tests.cdop.helpers import API, make_case, quick_user
    from tests.conftest import run_in_own_thread

    with committed_db() as s:
        case = make_case(s, status="information_gathering")
        s.commit()
        case_id, version = case.id, case.version
    user = quick_user(committed_db, "cdop_coordinator")
    app = create_app(get_settings(), committed_db, start_worker=False)
    body = {"action": "place_on_hold", "hold_reason": "inquest", "expected_on": "2099-01-01"}

    async def race() -> list[int]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as ac:
            tag = (await ac.get(f"{API}/child-deaths/{case_id}", headers=user.headers)).headers["etag"]
            headers = {**user.headers, "If-Match": tag}
            answers = await asyncio.gather(*(ac.post(f"{API}/child-deaths/{case_id}/transitions", json=body,
                                                     headers=headers) for _ in range(4)))
            return sorted(r.status_code for r in answers)

    assert run_in_own_thread(lambda: asyncio.run(race())) == [200, 412, 412, 412]
    with committed_db() as s:
        stored = s.get(ChildDeath, case_id)
        assert (stored.status, stored.version) == ("on_hold", version + 1)
        assert s.scalar(select(func.count()).select_from(ChildDeathHold)
                        .where(ChildDeathHold.child_death_id == case_id)) == 1
        assert s.scalar(select(func.count()).select_from(WorkflowHistory)
                        .where(WorkflowHistory.subject_id == case_id,
                               WorkflowHistory.action == "place_on_hold")) == 1

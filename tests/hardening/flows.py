"""Small end-to-end steps shared by the hardening tests (public notification -> staff case)."""

from __future__ import annotations

from typing import Any

from tests.hardening.payloads import PUBLIC_ENDPOINTS

STAFF = {
    "case_review": {"list": "/api/v1/case-reviews", "role": "business_unit",
                    "first_action": "start_screening"},
    "child_death": {"list": "/api/v1/child-deaths", "role": "cdop_coordinator",
                    "first_action": "start_information_gathering"},
}


def notify(client, kind: str, body: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
    path, make_body = PUBLIC_ENDPOINTS[kind]
    r = client.post(path, json=body or make_body(), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def find_case(client, kind: str, reference: str, staff_headers: dict[str, str]) -> tuple[int, str]:
    """(id, ETag) of the case with this reference, as staff see it."""
    base = STAFF[kind]["list"]
    r = client.get(base, params={"q": reference}, headers=staff_headers)
    assert r.status_code == 200, r.text
    items = [i for i in r.json()["items"] if i["reference"] == reference]
    assert len(items) == 1, r.text
    case_id = items[0]["id"]
    detail = client.get(f"{base}/{case_id}", headers=staff_headers)
    assert detail.status_code == 200, detail.text
    return case_id, detail.headers["etag"]


def transition(client, kind: str, case_id: int, etag: str, action: str, headers: dict[str, str],
               **fields: Any):
    base = STAFF[kind]["list"]
    return client.post(f"{base}/{case_id}/transitions", json={"action": action, **fields},
                       headers={**headers, "If-Match": etag})

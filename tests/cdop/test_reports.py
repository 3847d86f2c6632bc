"""The annual statistics on a fixed data set with fixed dates."""

from __future__ import annotations

import csv
import datetime as dt
import io

from cdop.models import ChildDeathHold
from tests.cdop.helpers import API, make_case


def _at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10, 0, tzinfo=dt.UTC)


def _data(db) -> None:
    def case(received, born, died, *, status="reviewed", expected=False, place="hospital", analysed=None,
             category=None, modifiable=None, refer=False, **kw):
        return make_case(db, status=status, received_at=received, date_of_birth=born, date_of_death=died,
                         expected=expected, place_of_death=place, analysed_at=analysed, category=category,
                         modifiable=modifiable, refer_to_case_review=refer if analysed else None, **kw)

    case(_at(2026, 2, 1), dt.date(2026, 1, 20), dt.date(2026, 1, 30), expected=True,
         analysed=_at(2026, 5, 1), category=8, modifiable="no")
    case(_at(2026, 3, 1), dt.date(2025, 10, 1), dt.date(2026, 2, 20), place="home",
         analysed=_at(2026, 6, 1), category=10, modifiable="yes", refer=True, case_review_reference="CR-2026-0001")
    case(_at(2026, 4, 1), dt.date(2022, 1, 1), dt.date(2026, 3, 30), place="public_place",
         analysed=_at(2026, 7, 1), category=3, modifiable="yes")
    case(_at(2026, 5, 1), dt.date(2018, 5, 1), dt.date(2026, 4, 20), expected=True, place="hospice",
         analysed=_at(2026, 8, 1), category=4, modifiable="insufficient_information")
    case(_at(2026, 6, 1), dt.date(2013, 1, 1), dt.date(2026, 5, 20), status="transferred_out", place="home",
         non_resident=True, home_area="Otherborough")
    held = case(_at(2026, 7, 1), dt.date(2009, 1, 1), dt.date(2026, 6, 20), status="on_hold")
    db.add(ChildDeathHold(child_death_id=held.id, reason="inquest", expected_on=dt.date(2027, 1, 1),
                          placed_by="test", placed_at=_at(2026, 7, 10)))
    db.add(ChildDeathHold(child_death_id=held.id, reason="criminal_proceedings", expected_on=dt.date(2026, 7, 1),
                          placed_by="test", placed_at=_at(2025, 12, 1), released_at=_at(2026, 6, 30)))
    case(_at(2026, 8, 1), dt.date(2020, 1, 1), dt.date(2026, 7, 20), status="withdrawn", place="other")
    # received the year before, reviewed in the period
    case(_at(2025, 12, 20), dt.date(2025, 6, 1), dt.date(2025, 12, 15), place="home",
         analysed=_at(2026, 2, 1), category=10, modifiable="no")
    # outside the period entirely
    case(_at(2027, 1, 5), dt.date(2020, 1, 1), dt.date(2027, 1, 1), analysed=_at(2027, 2, 1), category=1,
         modifiable="yes")
    db.commit()


def test_annual_statistics(client, db, coordinator, chair) -> None:
    _data(db)
    r = client.get(f"{API}/reports/child-deaths?from=2026-01-01&to=2026-12-31", headers=chair.headers)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["notifications_received"] == 7
    assert s["notifications_withdrawn"] == 1
    assert s["reviews_completed"] == 5
    cats = {c["category"]: c for c in s["by_category"]}
    assert len(cats) == 10 and cats[9]["label"] == "Infection"
    assert (cats[10]["reviews"], cats[10]["modifiable"], cats[10]["modifiable_percent"]) == (2, 1, 50.0)
    assert (cats[3]["reviews"], cats[3]["modifiable"], cats[3]["modifiable_percent"]) == (1, 1, 100.0)
    assert (cats[8]["reviews"], cats[8]["modifiable"], cats[8]["modifiable_percent"]) == (1, 0, 0.0)
    assert (cats[4]["reviews"], cats[4]["insufficient_information"]) == (1, 1)
    assert (cats[1]["reviews"], cats[1]["modifiable_percent"]) == (0, None)
    assert s["modifiable"] == {"yes": 2, "percent": 40.0}
    assert s["insufficient_information"] == 1
    assert s["referred_for_case_review"] == 1
    assert s["by_age_band"] == {"under_28_days": 1, "28_364_days": 1, "1_4_years": 1, "5_9_years": 1,
                                "10_14_years": 1, "15_17_years": 1}
    assert s["expected_vs_unexpected"] == {"expected": 2, "unexpected": 4}
    assert {k: v for k, v in s["place_of_death"].items() if v} == {"hospital": 2, "home": 2, "public_place": 1,
                                                                   "hospice": 1}
    assert s["non_resident"] == 1 and s["transferred_out"] == 1
    assert s["holds_placed"] == {"inquest": 1, "criminal_proceedings": 0, "case_review": 0, "other": 0}
    assert s["holds_open_at_end"]["inquest"] == 1 and s["holds_open_at_end"]["criminal_proceedings"] == 0

    c = client.get(f"{API}/reports/child-deaths?from=2026-01-01&to=2026-12-31",
                   headers={**coordinator.headers, "Accept": "text/csv"})
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(c.text)))
    assert rows[0] == ["section", "item", "count", "percent"]
    assert ["notifications_received", "", "7", ""] in rows
    assert ["category_modifiable", "10 Sudden unexpected, unexplained death", "1", "50.0"] in rows
    assert ["by_age_band", "under_28_days", "1", ""] in rows


def test_report_period_and_permissions(client, db, coordinator, panel_member, session_factory) -> None:
    _data(db)
    narrow = client.get(f"{API}/reports/child-deaths?from=2026-02-01&to=2026-02-28", headers=coordinator.headers).json()
    assert narrow["notifications_received"] == 1 and narrow["reviews_completed"] == 1
    assert client.get(f"{API}/reports/child-deaths?from=2026-12-31&to=2026-01-01", headers=coordinator.headers).status_code == 422
    assert client.get(f"{API}/reports/child-deaths?from=notadate", headers=coordinator.headers).status_code == 422
    assert client.get(f"{API}/reports/child-deaths", headers=panel_member.headers).status_code == 403
    assert client.get(f"{API}/reports/child-deaths").status_code == 401

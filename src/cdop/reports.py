"""The CDOP annual statistics (DOMAIN.md), computed by GROUP BY in SQL.

Bases, so that figures can be reconciled:
- notifications: every notification *received* in the period (``received_at``); the
  breakdowns (age band, expected/unexpected, place of death, non-resident) leave out
  withdrawn notifications (e.g. a stillbirth notified in error), counted separately;
- reviews: every review *completed* (analysis recorded at a panel, ``analysed_at``) in the
  period: by category with the number and % with modifiable factors, insufficient information,
  referred for case review;
- holds: holds placed in the period, by reason, and holds open at the end of the period;
- other areas: notifications received in the period (not withdrawn) by local authority of
  residence (each marked in or out of ``ECR_CDOP_AREAS``), deaths *transferred out* in the
  period (``transferred_out_on``) with the home panel's outcome or "awaiting" (overdue once its
  stored deadline has passed), and deaths *transferred in* received in the period with our
  panel's outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from core.deadlines import is_open
from core.deadlines.models import Deadline
from cdop.config import get_config
from cdop.domain import (
    AGE_BANDS,
    CATEGORIES,
    EXTERNAL_OUTCOME_KIND,
    HOLD_REASONS,
    PLACES_OF_DEATH,
    SUBJECT,
    in_our_area,
)
from cdop.models import ChildDeath, ChildDeathHold


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start, dt.time(), dt.UTC),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC))


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def by_local_authority(session: Session, counted: Any) -> list[dict[str, Any]]:
    """Notifications by local authority of residence (GROUP BY), most first, then by name."""
    areas = get_config().areas
    rows = session.execute(
        select(ChildDeath.local_authority, func.count()).where(counted).group_by(ChildDeath.local_authority)
    ).all()
    out = [{"local_authority": la, "notifications": int(n), "in_our_area": in_our_area(la, areas)}
           for la, n in rows]
    out.sort(key=lambda r: (-r["notifications"], r["local_authority"] is None, (r["local_authority"] or "").casefold()))
    return out


def out_of_area(session: Session, start: dt.date, end: dt.date, lo: dt.datetime, hi: dt.datetime,
                today: dt.date) -> list[dict[str, Any]]:
    """Deaths transferred out in the period (with the open external-outcome deadline
    outer-joined) and transferred in received in it, each with its outcome: two queries,
    whatever the number of cases, ordered by the day of the transfer."""
    c = ChildDeath
    due = (select(Deadline.subject_id, func.min(Deadline.due_on).label("due_on"))
           .where(Deadline.subject_type == SUBJECT, Deadline.kind == EXTERNAL_OUTCOME_KIND, is_open())
           .group_by(Deadline.subject_id).subquery())
    sent = session.execute(
        select(c.id, c.reference, c.home_area, c.transferred_out_on, c.status,
               c.external_outcome_received_on, c.external_category, c.external_modifiable, due.c.due_on)
        .select_from(c.__table__.outerjoin(due, due.c.subject_id == c.id))
        .where(c.transferred_out_on >= start, c.transferred_out_on <= end)
    ).all()
    received = session.execute(
        select(c.id, c.reference, c.transferred_from_area, c.transferred_from_received_on, c.status,
               c.analysed_at, c.category, c.modifiable)
        .where(c.received_at >= lo, c.received_at < hi, c.transferred_from_area.is_not(None))
    ).all()
    rows = [("out", i, ref, area, on, status, got, cat, mod, due_on)
            for i, ref, area, on, status, got, cat, mod, due_on in sent]
    rows += [("in", i, ref, area, on, status, at.date() if at else None, cat, mod, None)
             for i, ref, area, on, status, at, cat, mod in received]
    rows.sort(key=lambda r: (r[4] or dt.date.min, r[2]))
    out = []
    for direction, i, ref, area, on, status, got, cat, mod, due_on in rows:
        recorded = cat is not None
        out.append({
            "id": i, "reference": ref, "direction": direction, "area": area, "transferred_on": on,
            "status": status, "outcome": "recorded" if recorded else "awaiting",
            "outcome_received_on": got if recorded else None,
            "category": cat, "category_label": CATEGORIES.get(cat) if recorded else None,
            "modifiable": mod if recorded else None,
            "due_on": due_on, "overdue": due_on is not None and due_on < today,
        })
    return out


def child_death_statistics(session: Session, start: dt.date, end: dt.date,
                           today: dt.date | None = None) -> dict[str, Any]:
    lo, hi = _bounds(start, end)
    received = and_(ChildDeath.received_at >= lo, ChildDeath.received_at < hi)
    counted = and_(received, ChildDeath.status != "withdrawn")

    notifications = session.scalar(select(func.count()).select_from(ChildDeath).where(received)) or 0
    withdrawn = session.scalar(select(func.count()).select_from(ChildDeath).where(
        received, ChildDeath.status == "withdrawn")) or 0

    band = case(
        (ChildDeath.age_at_death_days < 28, "under_28_days"),
        (ChildDeath.age_at_death_years < 1, "28_364_days"),
        (ChildDeath.age_at_death_years < 5, "1_4_years"),
        (ChildDeath.age_at_death_years < 10, "5_9_years"),
        (ChildDeath.age_at_death_years < 15, "10_14_years"),
        else_="15_17_years",
    )
    sub = select(band.label("band")).where(counted).subquery()
    by_band = dict.fromkeys(AGE_BANDS, 0)
    for b, n in session.execute(select(sub.c.band, func.count()).group_by(sub.c.band)).all():
        by_band[b] = int(n)

    expected = {"expected": 0, "unexpected": 0}
    for e, n in session.execute(
        select(ChildDeath.expected, func.count()).where(counted).group_by(ChildDeath.expected)
    ).all():
        expected["expected" if e else "unexpected"] += int(n)

    places = dict.fromkeys(PLACES_OF_DEATH, 0)
    for p, n in session.execute(
        select(ChildDeath.place_of_death, func.count()).where(counted).group_by(ChildDeath.place_of_death)
    ).all():
        places[p] = places.get(p, 0) + int(n)

    non_resident = session.scalar(select(func.count()).select_from(ChildDeath).where(
        counted, or_(ChildDeath.non_resident.is_(True), ChildDeath.status == "transferred_out"))) or 0
    transferred_out = session.scalar(select(func.count()).select_from(ChildDeath).where(
        counted, ChildDeath.status == "transferred_out")) or 0
    transferred_in = session.scalar(select(func.count()).select_from(ChildDeath).where(
        counted, ChildDeath.transferred_from_area.is_not(None))) or 0

    alo, ahi = lo, hi
    analysed = and_(ChildDeath.analysed_at >= alo, ChildDeath.analysed_at < ahi)
    is_mod = case((ChildDeath.modifiable == "yes", 1), else_=0)
    is_insufficient = case((ChildDeath.modifiable == "insufficient_information", 1), else_=0)
    is_referred = case((ChildDeath.refer_to_case_review.is_(True), 1), else_=0)
    rows = session.execute(
        select(ChildDeath.category, func.count(), func.sum(is_mod), func.sum(is_insufficient),
               func.sum(is_referred))
        .where(analysed).group_by(ChildDeath.category)
    ).all()
    per_cat = {int(c): (int(n), int(m or 0), int(i or 0), int(r or 0)) for c, n, m, i, r in rows if c}
    reviews = sum(v[0] for v in per_cat.values())
    modifiable_total = sum(v[1] for v in per_cat.values())
    by_category = []
    for number, label in CATEGORIES.items():
        n, m, i, _ = per_cat.get(number, (0, 0, 0, 0))
        by_category.append({"category": number, "label": label, "reviews": n, "modifiable": m,
                            "modifiable_percent": _pct(m, n), "insufficient_information": i})

    holds_placed = dict.fromkeys(HOLD_REASONS, 0)
    for r, n in session.execute(
        select(ChildDeathHold.reason, func.count())
        .where(ChildDeathHold.placed_at >= lo, ChildDeathHold.placed_at < hi)
        .group_by(ChildDeathHold.reason)
    ).all():
        holds_placed[r] = int(n)
    holds_open = dict.fromkeys(HOLD_REASONS, 0)
    for r, n in session.execute(
        select(ChildDeathHold.reason, func.count())
        .where(ChildDeathHold.placed_at < hi,
               or_(ChildDeathHold.released_at.is_(None), ChildDeathHold.released_at >= hi))
        .group_by(ChildDeathHold.reason)
    ).all():
        holds_open[r] = int(n)

    return {
        "from": start, "to": end,
        "notifications_received": int(notifications),
        "notifications_withdrawn": int(withdrawn),
        "reviews_completed": reviews,
        "by_category": by_category,
        "modifiable": {"yes": modifiable_total, "percent": _pct(modifiable_total, reviews)},
        "insufficient_information": sum(v[2] for v in per_cat.values()),
        "referred_for_case_review": sum(v[3] for v in per_cat.values()),
        "by_age_band": by_band,
        "expected_vs_unexpected": expected,
        "place_of_death": places,
        "non_resident": int(non_resident),
        "transferred_out": int(transferred_out),
        "transferred_in": int(transferred_in),
        "by_local_authority": by_local_authority(session, counted),
        "out_of_area": out_of_area(session, start, end, lo, hi, today or dt.date.today()),
        "holds_placed": holds_placed,
        "holds_open_at_end": holds_open,
        "basis": {
            "notifications": "received in the period; breakdowns exclude withdrawn notifications",
            "reviews": "analysis recorded at a panel in the period",
            "holds": "placed in the period; open at the end of the period",
        },
    }


def to_csv(stats: dict[str, Any]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["section", "item", "count", "percent"])
    w.writerow(["period", f"{stats['from']} to {stats['to']}", "", ""])
    for key in ("notifications_received", "notifications_withdrawn", "reviews_completed",
                "insufficient_information", "referred_for_case_review", "non_resident",
                "transferred_out", "transferred_in"):
        w.writerow([key, "", stats[key], ""])
    w.writerow(["modifiable", "all reviews", stats["modifiable"]["yes"],
                "" if stats["modifiable"]["percent"] is None else stats["modifiable"]["percent"]])
    for row in stats["by_category"]:
        w.writerow(["category_reviews", f"{row['category']} {row['label']}", row["reviews"], ""])
        w.writerow(["category_modifiable", f"{row['category']} {row['label']}", row["modifiable"],
                    "" if row["modifiable_percent"] is None else row["modifiable_percent"]])
    for section in ("by_age_band", "expected_vs_unexpected", "place_of_death", "holds_placed",
                    "holds_open_at_end"):
        for item, n in stats[section].items():
            w.writerow([section, item, n, ""])
    for row in stats["by_local_authority"]:
        w.writerow(["by_local_authority", row["local_authority"] or "not recorded", row["notifications"], ""])
    for row in stats["out_of_area"]:
        w.writerow([f"transferred_{row['direction']}", _out_of_area_text(row), "", ""])
    return out.getvalue()


def _out_of_area_text(row: dict[str, Any]) -> str:
    """A death transferred out or in, in words: reference, area, date and outcome."""
    where = "to" if row["direction"] == "out" else "from"
    text = f"{row['reference']} {where} {row['area']}"
    if row["transferred_on"]:
        text += f" on {row['transferred_on']}"
    if row["outcome"] == "recorded":
        text += (f"; outcome received {row['outcome_received_on']}: category {row['category']}, "
                 f"modifiable {str(row['modifiable']).replace('_', ' ')}")
    else:
        text += "; outcome awaited"
        if row["due_on"]:
            text += f", due {row['due_on']}" + (" (overdue)" if row["overdue"] else "")
    return text

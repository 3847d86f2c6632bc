"""The clocks of the 2018 child death review guidance and the review meetings that stop one.

Every clock is a ``core.deadlines`` stored deadline of the case (subject_type ``child_death``),
so "overdue" is an indexed query (``core.deadlines.overdue_subject_ids``), never a loop:

- ``cdop_notification``: the death notified within ``ECR_CDOP_NOTIFICATION_DAYS`` calendar days
  of the death (default 1, see ``config.ChildDeathSettings``); opened and met at intake, on the
  day it was received (on time or late);
- ``cdop_cdrm``: a child death review meeting within ``ECR_CDOP_CDRM_MONTHS`` months of the
  death; met on the ``held_on`` day of the first ``cdrm`` recorded, waived with the reason when
  the coordinator records that none is required (``mark_ready_for_panel``);
- ``cdop_panel``: the panel review within ``ECR_CDOP_PANEL_MONTHS`` months of the death, moved
  on by the days spent on hold; met when the panel's analysis is recorded. It is paused while
  the case is on hold: never overdue then (``models.clock_running`` in every overdue query, and
  ``paused`` on the case's view), so a case waiting on an inquest is watched by its hold's clock
  instead; at release it is re-opened due the days on hold later. Nothing is written when the
  hold is placed (the transition's statement budget, tests/bench/test_query_counts.py);
- ``cdop_hold_review``: a hold reviewed by its expected date; opened when the hold is placed,
  met when it is reviewed (a new expected date) or released; overdue (and the coordinator
  emailed once) when the expected date passes first.

Withdraw and transfer out waive the open clocks of this module (another module's clocks, e.g.
the transfer's own, are left alone); close gives any still open the outcome ``missed``.
A case from before these clocks (migration 0011) has none: every function here then does
nothing.

Only ``workflow`` (effects), ``service`` and ``views`` use this module; it imports no layer
above ``models``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, bindparam, func, select, update
from sqlalchemy.orm import Session

from core.deadlines import DeadlineRule, close_deadlines, is_open, open_deadline, open_new_deadlines
from core.deadlines.models import Deadline
from core.deadlines.service import REPLACED
from cdop import config
from cdop.domain import SUBJECT
from cdop.models import PANEL_CLOCK, ChildDeath, ChildDeathHold, ReviewMeeting, clock_running

NOTIFICATION = "cdop_notification"
CDRM = "cdop_cdrm"
PANEL = PANEL_CLOCK  # paused while the case is on hold (models.clock_running)
HOLD_REVIEW = "cdop_hold_review"
# the clocks of a review still under way (waived or missed when it ends another way)
REVIEW_CLOCKS = (CDRM, PANEL, HOLD_REVIEW)

MEETING_KINDS = {"jar": "Joint Agency Response", "cdrm": "Child death review meeting"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def rules() -> dict[str, DeadlineRule]:
    """The rules with the configured lengths (their labels name them)."""
    cfg = config.get_config()
    return {
        NOTIFICATION: DeadlineRule(NOTIFICATION, f"Death notified within {_plural(cfg.cdop_notification_days, 'day')}",
                                   cfg.cdop_notification_days, "calendar_days"),
        CDRM: DeadlineRule(CDRM, f"Child death review meeting within {_plural(cfg.cdop_cdrm_months, 'month')} of the death",
                           cfg.cdop_cdrm_months, "months"),
        PANEL: DeadlineRule(PANEL, f"Panel review within {_plural(cfg.cdop_panel_months, 'month')} of the death "
                                   f"(plus time on hold)", cfg.cdop_panel_months, "months"),
        HOLD_REVIEW: DeadlineRule(HOLD_REVIEW, "Hold reviewed by its expected date", 0, "calendar_days"),
    }


# ---- intake ----


def open_at_intake(session: Session, case_id: int, date_of_death: dt.date, received_on: dt.date,
                   transferred_from: str | None = None) -> None:
    """A new notification's clocks (one INSERT), the notification's met on the day received; a
    death transferred to us from another area was notified to that area's panel, not to us, so
    its notification clock is waived with that reason (not "met late" on the transfer's date)."""
    r = rules()
    open_new_deadlines(session, SUBJECT, case_id, [r[NOTIFICATION], r[CDRM], r[PANEL]], date_of_death)
    if transferred_from:
        close_deadlines(session, SUBJECT, case_id, [NOTIFICATION], outcome="waived",
                        reason=f"transferred in from {transferred_from}: the death was notified to that area's panel")
    else:
        close_deadlines(session, SUBJECT, case_id, [NOTIFICATION], outcome="met", on=received_on)


# ---- review meetings ----


def cdrm_held(session: Session, case_id: int, held_on: dt.date) -> None:
    """A child death review meeting held on ``held_on`` meets the CDRM clock on that day."""
    close_deadlines(session, SUBJECT, case_id, [CDRM], outcome="met", on=held_on)


def has_cdrm(session: Session, case_id: int) -> bool:
    return session.execute(
        select(ReviewMeeting.id).where(ReviewMeeting.child_death_id == case_id, ReviewMeeting.kind == "cdrm").limit(1)
    ).first() is not None


_MEETING_COLUMNS = (ReviewMeeting.id, ReviewMeeting.kind, ReviewMeeting.held_on, ReviewMeeting.agencies,
                    ReviewMeeting.outcome, ReviewMeeting.recorded_at, ReviewMeeting.recorded_by)


def meeting_views(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """``ReviewMeetingOut`` of rows of ``_MEETING_COLUMNS`` (as ``repository.MEETING_ROWS``
    gives them too), in the order they were held."""
    return [{"id": r.id, "kind": r.kind, "kind_label": MEETING_KINDS.get(r.kind, r.kind), "held_on": r.held_on,
             "agencies": list(r.agencies or []), "outcome": r.outcome, "recorded_at": r.recorded_at,
             "recorded_by": r.recorded_by} for r in sorted(rows, key=lambda r: (r.held_on, r.id))]


def meetings_of(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The case's review meetings (``ReviewMeetingOut``), in the order they were held."""
    return meeting_views(session.execute(select(*_MEETING_COLUMNS).where(ReviewMeeting.child_death_id == case_id)).all())


# ---- the clocks of one case, and counts ----


def _open_due(session: Session, case_id: int, kind: str) -> dt.date | None:
    return session.execute(
        select(Deadline.due_on).where(Deadline.subject_type == SUBJECT, Deadline.subject_id == case_id,
                                      Deadline.kind == kind, is_open()).order_by(Deadline.id.desc()).limit(1)
    ).scalar_one_or_none()


_CLOCK_COLUMNS = (Deadline.id, Deadline.kind, Deadline.label, Deadline.start_on, Deadline.due_on, Deadline.met_at,
                  Deadline.missed_at, Deadline.waived_at, Deadline.waived_reason)


def clock_views(rows: Iterable[Any], today: dt.date, on_hold: bool = False) -> list[dict[str, Any]]:
    """``ClockOut`` of rows of ``_CLOCK_COLUMNS`` (as ``repository.CLOCK_ROWS`` gives them too),
    by due date: each kind's current deadline and those that ended, not the rows replaced by a
    new due date. The outcome is read as ``Deadline.outcome`` reads it."""
    out = []
    for d in sorted(rows, key=lambda r: (r.due_on, r.id)):
        if d.waived_at is not None and d.waived_reason == REPLACED:
            continue
        if d.met_at is not None:
            outcome, closed = ("met_late" if d.met_at.date() > d.due_on else "met_on_time"), d.met_at
        elif d.missed_at is not None:
            outcome, closed = "missed", d.missed_at
        elif d.waived_at is not None:
            outcome, closed = "waived", d.waived_at
        else:
            outcome, closed = None, None
        paused = outcome is None and on_hold and d.kind == PANEL
        out.append({"kind": d.kind, "label": d.label, "start_on": d.start_on, "due_on": d.due_on,
                    "outcome": outcome, "overdue": outcome is None and not paused and d.due_on < today,
                    "paused": paused,
                    "closed_on": closed.date() if closed else None,
                    "waived_reason": d.waived_reason if outcome == "waived" else None})
    return out


def clocks_of(session: Session, case_id: int, today: dt.date, on_hold: bool = False) -> list[dict[str, Any]]:
    """Every clock of the case (``ClockOut``), as :func:`clock_views` shows them."""
    return clock_views(session.execute(select(*_CLOCK_COLUMNS).where(
        Deadline.subject_type == SUBJECT, Deadline.subject_id == case_id)).all(), today, on_hold)


_OVERDUE_BY_KIND = (
    select(Deadline.kind, func.max(Deadline.label), func.count())
    .where(Deadline.subject_type == SUBJECT, is_open(), Deadline.due_on < bindparam("today", type_=Date),
           clock_running())
    .group_by(Deadline.kind).order_by(Deadline.kind)
)


def overdue_by_kind(session: Session, today: dt.date) -> list[dict[str, Any]]:
    """Open clocks past their due date by kind, with its label (GROUP BY on the partial index of
    open deadlines), every module's kinds for child deaths."""
    rows = session.connection().execute(_OVERDUE_BY_KIND, {"today": today}).all()
    return [{"kind": k, "label": label, "count": int(n)} for k, label, n in rows]


# ---- workflow effects (``ctx``: core.workflow.TransitionContext) ----


def _waive_review_clocks(ctx: Any, reason: str) -> None:
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, list(REVIEW_CLOCKS), outcome="waived", reason=reason)


def on_withdraw(ctx: Any) -> None:
    _waive_review_clocks(ctx, "the notification was withdrawn")


def on_transfer_out(ctx: Any) -> None:
    _waive_review_clocks(ctx, "the case was transferred to the home area's CDOP")


def on_close(ctx: Any) -> None:
    """A review closed with a clock still open: the moment it guarded has passed."""
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, list(REVIEW_CLOCKS), outcome="missed")


def on_ready_for_panel(ctx: Any) -> None:
    """``cdrm_not_required_reason`` given: stored on the case, the CDRM clock waived with it."""
    reason = ctx.data.get("cdrm_not_required_reason")
    if reason:
        ctx.case.cdrm_not_required_reason = reason
        close_deadlines(ctx.session, SUBJECT, ctx.case.id, [CDRM], outcome="waived",
                        reason=f"no child death review meeting required: {reason}")


def on_analysis(ctx: Any) -> None:
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, [PANEL], outcome="met", on=config.today())


_HOLDS = ChildDeathHold.__table__


def _open_hold_review(ctx: Any, today: dt.date, expected_on: dt.date) -> None:
    """The hold's review clock, due on its expected date, in one INSERT (none is open: the case
    was not on hold, or its clock was met just before)."""
    rule = DeadlineRule(HOLD_REVIEW, rules()[HOLD_REVIEW].label, (expected_on - today).days, "calendar_days")
    open_new_deadlines(ctx.session, SUBJECT, ctx.case.id, [rule], today)


def on_hold_placed(ctx: Any) -> None:
    """The hold's review clock (due on its expected date): one statement, as a transition's
    budget allows (tests/bench/test_query_counts.py). The panel clock is paused (read as not
    overdue) while the case is on hold; the days on hold are added when it is released."""
    _open_hold_review(ctx, config.today(), ctx.data["expected_on"])


def on_hold_reviewed(ctx: Any) -> None:
    """``review_hold``: the open hold gets its new expected date (and may be overdue, and
    emailed about, again); its review clock met today and opened again to the new date."""
    today, expected = config.today(), ctx.data["expected_on"]
    ctx.session.flush()
    conn = ctx.session.connection()
    holds = conn.execute(select(_HOLDS.c.id, _HOLDS.c.expected_on).where(
        _HOLDS.c.child_death_id == ctx.case.id, _HOLDS.c.released_at.is_(None)).order_by(_HOLDS.c.id)).all()
    conn.execute(update(_HOLDS).where(_HOLDS.c.child_death_id == ctx.case.id, _HOLDS.c.released_at.is_(None))
                 .values(expected_on=expected, overdue_notified_at=None))
    ctx.history_data["hold_ids"] = [h.id for h in holds]
    ctx.history_data["previous_expected_on"] = [h.expected_on.isoformat() for h in holds]
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, [HOLD_REVIEW], outcome="met", on=today)
    _open_hold_review(ctx, today, expected)


def on_hold_released(ctx: Any) -> None:
    """After ``release_hold``'s own effect: the hold's review clock met; the panel clock
    re-opened (``open_deadline``: the earlier row waived as replaced) due the days on hold later
    (from the day the earliest of the released holds was placed to today)."""
    today = config.today()
    close_deadlines(ctx.session, SUBJECT, ctx.case.id, [HOLD_REVIEW], outcome="met", on=today)
    released = ctx.history_data.get("released_holds") or []
    current = _open_due(ctx.session, ctx.case.id, PANEL) if released else None
    if current is None:
        return
    placed = ctx.session.connection().execute(
        select(func.min(_HOLDS.c.placed_at)).where(_HOLDS.c.id.in_(released))).scalar_one()
    days = max((today - placed.date()).days, 0) if placed is not None else 0
    due = current + dt.timedelta(days=days)
    open_deadline(ctx.session, SUBJECT, ctx.case.id, rules()[PANEL], ctx.case.date_of_death, due_on=due)
    ctx.history_data["days_on_hold"] = days
    ctx.history_data["panel_due_on"] = due.isoformat()


# ---- a corrected date of death ----


def death_date_changed(session: Session, case_id: int, old: dt.date, new: dt.date) -> None:
    """The date of death corrected (``PATCH``): every clock counted from it moves by as many
    days. A running CDRM or panel clock is replaced by one with the moved due date (the panel's
    days on hold kept); the notification's, already met, gets its due date corrected in place (so
    it reads on time or late against the right day)."""
    days = dt.timedelta(days=(new - old).days)
    if not days:
        return
    r = rules()
    for kind in (CDRM, PANEL):
        due = _open_due(session, case_id, kind)
        if due is not None:
            open_deadline(session, SUBJECT, case_id, r[kind], new, due_on=due + days)
    conn = session.connection()
    d = Deadline.__table__
    # a case has one notification clock
    for row in conn.execute(select(d.c.id, d.c.due_on).where(
            d.c.subject_type == SUBJECT, d.c.subject_id == case_id, d.c.kind == NOTIFICATION)).all():
        conn.execute(update(d).where(d.c.id == row.id).values(start_on=new, due_on=row.due_on + days))


# ---- holds past their expected date (the periodic job) ----


def holds_to_notify(session: Session, today: dt.date) -> list[Any]:
    """Open holds whose expected date has passed and that nobody has been emailed about."""
    cases = ChildDeath.__table__
    return list(session.connection().execute(
        select(_HOLDS.c.id, _HOLDS.c.child_death_id, _HOLDS.c.reason, _HOLDS.c.expected_on, cases.c.reference)
        .select_from(_HOLDS.join(cases, cases.c.id == _HOLDS.c.child_death_id))
        .where(_HOLDS.c.released_at.is_(None), _HOLDS.c.overdue_notified_at.is_(None),
               _HOLDS.c.expected_on < today)
        .order_by(_HOLDS.c.id)
    ).all())


def mark_hold_notified(session: Session, hold_id: int, at: dt.datetime) -> None:
    session.connection().execute(update(_HOLDS).where(_HOLDS.c.id == hold_id).values(overdue_notified_at=at))

from core.deadlines.calendar import add_months, add_working_days, due_date, is_working_day
from core.deadlines.service import (
    OUTCOMES,
    DeadlineRule,
    Outcome,
    close_deadlines,
    deadline_outcome_case,
    is_open,
    open_deadline,
    open_deadlines_for,
    open_new_deadlines,
    overdue_subject_ids,
)

__all__ = [
    "OUTCOMES",
    "DeadlineRule",
    "Outcome",
    "add_months",
    "add_working_days",
    "close_deadlines",
    "deadline_outcome_case",
    "due_date",
    "is_open",
    "is_working_day",
    "open_deadline",
    "open_deadlines_for",
    "open_new_deadlines",
    "overdue_subject_ids",
]

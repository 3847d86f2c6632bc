from core.deadlines.calendar import add_months, add_working_days, due_date, is_working_day
from core.deadlines.service import (
    DeadlineRule,
    close_deadlines,
    open_deadline,
    open_deadlines_for,
    open_new_deadlines,
    overdue_subject_ids,
)

__all__ = [
    "DeadlineRule",
    "add_months",
    "add_working_days",
    "close_deadlines",
    "due_date",
    "is_working_day",
    "open_deadline",
    "open_deadlines_for",
    "open_new_deadlines",
    "overdue_subject_ids",
]

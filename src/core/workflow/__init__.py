from core.workflow.engine import (
    TransitionContext,
    apply_transition,
    available_transitions,
    check_if_match,
    history_for,
)
from core.workflow.table import Text, Transition, Workflow, register_workflow

__all__ = [
    "Text",
    "Transition",
    "TransitionContext",
    "Workflow",
    "apply_transition",
    "available_transitions",
    "check_if_match",
    "history_for",
    "register_workflow",
]

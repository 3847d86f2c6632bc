from core.workflow.engine import (
    TransitionContext,
    apply_transition,
    available_transitions,
    check_if_match,
    history_for,
)
from core.workflow.table import FieldInfo, Text, Transition, Workflow, register_workflow

__all__ = [
    "FieldInfo",
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

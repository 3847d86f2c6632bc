"""Local settings of the case review module (env prefix ``ECR_CASE_REVIEW_``).

Deadline lengths are local practice (DOMAIN.md), so they are configurable; decision codes are
fixed and only their labels may be changed (``ECR_CASE_REVIEW_DECISION_LABELS`` as JSON).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ecr.domain import DEFAULT_DECISION_LABELS


class CaseReviewSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECR_CASE_REVIEW_", env_file=None, extra="ignore")

    screening_working_days: int = Field(default=10, ge=1, le=100)
    decision_months: int = Field(default=1, ge=1, le=24)
    scr_completion_months: int = Field(default=6, ge=1, le=36)
    national_panel_notice_days: int = Field(default=14, ge=1, le=100)
    pre_publication_notice_days: int = Field(default=7, ge=1, le=100)
    decision_labels: dict[str, str] = Field(default_factory=dict)
    # the regime (transition table) new notifications follow; cases keep the one they began with.
    # CSPR (Working Together 2018/2023) is what boards use today; WT2015 stays for historic cases
    # (staff may enter a notification under it) and for boards migrating their records.
    regime: str = Field(default="CSPR", max_length=20)

    def label(self, decision: str | None) -> str:
        if decision is None:
            return "Pending"
        return self.decision_labels.get(decision) or DEFAULT_DECISION_LABELS.get(decision, decision)


@lru_cache
def get_config() -> CaseReviewSettings:
    return CaseReviewSettings()

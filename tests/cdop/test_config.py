"""The module's settings keep their environment variable names (prefix ``ECR_``)."""

from __future__ import annotations

from cdop.config import ChildDeathSettings


def test_settings_from_the_same_variables(monkeypatch) -> None:
    monkeypatch.setenv("ECR_REPORTING_FORM_DUE_WORKING_DAYS", "7")
    monkeypatch.setenv("ECR_REPORTING_FORM_LINK_DAYS", "14")
    s = ChildDeathSettings()
    assert (s.reporting_form_due_working_days, s.reporting_form_link_days) == (7, 14)


def test_defaults() -> None:
    s = ChildDeathSettings()
    assert (s.reporting_form_due_working_days, s.reporting_form_link_days) == (15, 28)

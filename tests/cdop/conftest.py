from __future__ import annotations

import pytest

from tests.cdop.helpers import quick_user


@pytest.fixture
def coordinator(session_factory):
    return quick_user(session_factory, "cdop_coordinator", name="Cora Coordinator")


@pytest.fixture
def chair(session_factory):
    return quick_user(session_factory, "cdop_chair", name="Chad Chair")


@pytest.fixture
def panel_member(session_factory):
    return quick_user(session_factory, "cdop_panel_member", name="Pat Panel")

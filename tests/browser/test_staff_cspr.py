"""A case review under Working Together 2018/2023 (regime CSPR) in the staff app (issue 19: "the
staff app shows the CSPR actions with their labels with no code of its own per regime"): a public
notification screened, the serious incident notified to the national panel, the rapid review
recorded by the CRG chair, and an LCSPR commissioned by the Independent Chair, each user finding
the case on My work. Expected words from API.md "Regime CSPR"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest

from tests.browser.staff import check_axe, make_user, require_build, sign_in, sign_out
from tests.browser.test_staff_case_reviews import fill_app_date, public_notification, take_action, wait_status

pytestmark = pytest.mark.browser


@pytest.fixture
def cspr_default(monkeypatch) -> Iterator[None]:
    """New notifications follow CSPR in this test, whatever the deployment default."""
    from ecr.config import get_config

    require_build()
    monkeypatch.setenv("ECR_CASE_REVIEW_REGIME", "CSPR")
    get_config.cache_clear()
    yield
    get_config.cache_clear()


def on_my_work(pg, base: str, section: str, reference: str) -> None:
    pg.goto(f"{base}/app/")
    heading = pg.get_by_role("heading", name=section)
    heading.wait_for()
    assert pg.locator("section, div", has=heading).last.get_by_role("link", name=reference, exact=True).count() >= 1 \
        or pg.get_by_role("link", name=reference, exact=True).count() >= 1
    check_axe(pg, f"My work: {section}")


def test_cspr_notification_to_a_commissioned_lcspr(live_server, page, shot, cspr_default) -> None:
    pg, base = page, live_server.url
    today = dt.date.today()
    reference = public_notification(pg, base, "Morgan", "Rapidreview", f"pat.{uuid.uuid4().hex[:6]}@council.example")

    bu = make_user(live_server, "business_unit", name="Bo Screener")
    sign_in(pg, base, bu)
    pg.goto(f"{base}/app/case-reviews?q={reference}")
    pg.get_by_role("link", name=reference, exact=True).click()
    pg.wait_for_selector(f"h1:has-text('{reference}')")
    assert "CSPR" in pg.inner_text("main")
    take_action(pg, "Start screening", expect_status="Screening")
    # the serious incident notified to the national panel: a date that is not in the future
    label = "Record the serious incident notification to the national panel"
    pg.get_by_role("button", name=label, exact=True).click()
    pg.wait_for_selector("#action-form-heading")
    check_axe(pg, "serious incident notification form")
    shot(pg, "cspr-01-notification-form")
    pg.get_by_role("button", name=label, exact=True).click()  # nothing entered: the date is required
    pg.wait_for_selector("[data-testid=error-summary]")
    assert pg.title().startswith("Error: ")
    fill_app_date(pg, "f-action-notified_panel_on", str(today.day), str(today.month), str(today.year))
    pg.get_by_role("button", name=label, exact=True).click()
    wait_status(pg, "Rapid review")
    case_url = pg.url
    deadlines = pg.inner_text("main")
    assert "apid review" in deadlines  # the 15 working days clock is on the case
    check_axe(pg, "rapid review")
    shot(pg, "cspr-02-rapid-review")
    sign_out(pg)

    # the CRG chair finds the rapid review on My work and records it
    chair = make_user(live_server, "crg_chair", name="Cleo Chair")
    sign_in(pg, base, chair)
    on_my_work(pg, base, "Rapid reviews to complete (1)", reference)
    shot(pg, "cspr-03-my-work-crg-chair")
    pg.goto(case_url)
    wait_status(pg, "Rapid review")
    label = "Record the rapid review"
    pg.get_by_role("button", name=label, exact=True).click()
    pg.wait_for_selector("#action-form-heading")
    fill_app_date(pg, "f-action-rapid_review_on", str(today.day), str(today.month), str(today.year))
    fill_app_date(pg, "f-action-sent_to_panel_on", str(today.day), str(today.month), str(today.year))
    pg.get_by_label("A local child safeguarding practice review", exact=True).check()
    pg.fill("#f-action-rationale", "Practice across agencies needs a local review.")
    check_axe(pg, "rapid review form")
    shot(pg, "cspr-04-rapid-review-form")
    pg.get_by_role("button", name=label, exact=True).click()
    wait_status(pg, "Rapid review sent")
    sign_out(pg)

    # the Independent Chair decides: an LCSPR
    ic = make_user(live_server, "independent_chair", name="Indra Chair")
    sign_in(pg, base, ic)
    on_my_work(pg, base, "Rapid reviews to decide on (LCSPR) (1)", reference)
    pg.goto(case_url)
    wait_status(pg, "Rapid review sent")
    record = pg.locator("#serious-incident")
    assert "A local child safeguarding practice review" in record.inner_text()
    assert "Practice across agencies needs a local review." in record.inner_text()
    take_action(pg, "Commission a local child safeguarding practice review",
                {"f-action-rationale": "The rapid review recommends it and the partners agree."},
                expect_status="Review in progress")
    main = pg.inner_text("main")
    assert "local child safeguarding practice review" in main.lower()
    pg.wait_for_selector(".moj-timeline__title:has-text('Commission a local child safeguarding practice review')")
    timeline = pg.inner_text(".moj-timeline")
    for words in ("Record the serious incident notification to the national panel", "Record the rapid review",
                  "Commission a local child safeguarding practice review"):
        assert words in timeline, words
    shot(pg, "cspr-05-lcspr-commissioned")

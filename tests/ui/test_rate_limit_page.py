"""The dashboard's Faults page arms a rate limit and shows its window."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from emulator.testing.server import LiveServer
from tests.helpers import basic
from tests.ui.test_dashboard import add_fault, new_tenant, open_page

pytestmark = pytest.mark.ui


def test_a_rate_limit_added_on_the_page_shows_its_window(page: Page, live: LiveServer,
                                                         api: httpx.Client) -> None:
    tenant = new_tenant(api, "thrive")
    tenant_id = str(tenant["id"])
    frozen = api.post("/_emulator/clock", json={"tenant": tenant_id, "freeze": True,
                                                "set": "2026-03-02T09:00:00Z"})
    assert frozen.status_code == 200, frozen.text
    row = add_fault(page, live, vendor="thrive", tenant=tenant_id, type="rate_limit", limit="1",
                    per="60")
    expect(row.locator("td").nth(2)).to_have_text("rate limit 1 per 60 s")

    creds = tenant["credentials"]
    assert isinstance(creds, dict)
    auth = basic(tenant_id, creds["apiSecret"])
    assert api.get("/thrive/rest/v1/tags", headers=auth).status_code == 200
    refused = api.get("/thrive/rest/v1/tags", headers=auth)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "60")
    open_page(page, live, "/faults")
    expect(row.locator("td").nth(2)).to_have_text(
        "rate limit 1 per 60 s (1 let through in the window ending 2026-03-02T09:01:00.000Z)")
    expect(row.locator(".seen")).to_have_text("2")
    expect(row.locator(".fired")).to_have_text("1")
    expect(row.locator("td").nth(3)).to_have_text("∞")
    row.get_by_role("button", name="Remove").click()
    expect(row).to_have_count(0)

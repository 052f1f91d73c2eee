"""The dashboard in a real browser: each page loads, acts through the control plane and shows
what the API holds; vendor bodies are shown as text, never run."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from emulator.control.ui import PAGES
from emulator.testing.server import LiveServer
from tests.helpers import THRIVE_AUTH, THRIVE_SECRET, THRIVE_TENANT, basic

pytestmark = pytest.mark.ui


def open_page(page: Page, live: LiveServer, path: str = "") -> None:
    page.goto(f"{live.url}/_emulator/ui{path}")
    # app.js marks the body once the page's first API calls are done.
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#status")).to_have_text("")


def new_tenant(api: httpx.Client, vendor: str) -> dict[str, object]:
    response = api.post("/_emulator/tenants", json={"vendor": vendor})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def add_fault(page: Page, live: LiveServer, **fields: str) -> Locator:
    """Fill the Faults page's form (`vendor` and `type` are menus) and submit it; the new row."""
    open_page(page, live, "/faults")
    form = page.locator("#fault-add")
    for name, value in fields.items():
        if name in ("vendor", "type"):
            form.locator(f"select[name={name}]").select_option(value)
        else:
            form.locator(f"input[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    expect(page.locator("#status")).to_have_text(re.compile(r"^Fault #\d+ added\.$"))
    fault_id = page.locator("#status").inner_text().split("#")[1].split()[0]
    return page.locator(f"tr[data-fault='{fault_id}']")


def test_tenants_show_base_url_credentials_and_rows(page: Page, live: LiveServer) -> None:
    open_page(page, live)
    row = page.locator(f"tr[data-tenant='{THRIVE_TENANT}']")
    expect(row.locator("td").nth(1)).to_have_text("thrive")
    expect(row.locator("td").nth(2)).to_contain_text(f"{live.url}/thrive")
    expect(row.locator("li", has_text="apiSecret")).to_contain_text(THRIVE_SECRET)
    expect(row.locator("li", has_text="oauthClients[0].clientId")).to_contain_text(
        "thrive-demo-client")
    expect(row.locator("summary")).to_have_text(re.compile(r"^[1-9]\d* rows$"))
    row.locator("summary").click()
    expect(row.locator("details li", has_text="thrive_user:")).to_have_text("thrive_user: 9")
    expect(row.locator("button.copy")).not_to_have_count(0)


def test_journal_filters_and_shows_bodies_as_text(page: Page, live: LiveServer,
                                                  api: httpx.Client) -> None:
    ispring = new_tenant(api, "ispring")
    creds = ispring["credentials"]
    assert isinstance(creds, dict)
    owner = creds["users"][0]
    xml = api.get("/ispring/departments", headers={
        "X-Auth-Account-Url": creds["accountUrl"], "X-Auth-Email": owner["login"],
        "X-Auth-Password": owner["password"]})
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    attack = '{"name": "<script>window.pwned = 1</script><img src=x onerror=window.pwned=2>"}'
    sent = api.post("/thrive/rest/v1/audiences", headers={**THRIVE_AUTH,
                    "Content-Type": "application/json"}, content=attack)
    assert sent.status_code in (201, 400, 422), sent.text

    open_page(page, live, "/journal")
    page.select_option("select[name=vendor]", "ispring")
    page.fill("input[name=tenant]", str(ispring["id"]))
    page.click("#journal-filter button[type=submit]")
    rows = page.locator("#journal tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("GET /departments")
    rows.first.click()
    expect(page.locator("#entry-response")).to_contain_text("200")
    body = page.locator("#entry-response-body")
    # Pretty-printed: one element per line, indented.
    expect(body).to_contain_text("<response>\n  <departments>\n    <department>\n")
    expect(page.locator("#entry-request-headers")).to_contain_text("***")
    expect(page.locator("#entry-request-headers")).not_to_contain_text(owner["password"])

    page.select_option("select[name=vendor]", "thrive")
    page.fill("input[name=tenant]", "")
    page.fill("input[name=operation]", "add_audience")
    page.click("#journal-filter button[type=submit]")
    expect(rows).to_have_count(1)
    rows.first.click()
    request_body = page.locator("#entry-request-body")
    expect(request_body).to_have_text(
        '{\n  "name": "<script>window.pwned = 1</script><img src=x onerror=window.pwned=2>"\n}')
    assert page.locator("#entry script, #entry img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_a_fault_added_on_the_page_fires(page: Page, live: LiveServer,
                                         api: httpx.Client) -> None:
    tenant = new_tenant(api, "thrive")
    row = add_fault(page, live, vendor="thrive", tenant=str(tenant["id"]), status="503",
                    times="1")
    fault_id = row.get_attribute("data-fault")
    assert fault_id is not None
    expect(row).to_contain_text(f"vendor=thrive tenant={tenant['id']}")
    expect(row.locator("td").nth(2)).to_have_text("error 503")
    expect(row.locator(".fired")).to_have_text("0")

    creds = tenant["credentials"]
    assert isinstance(creds, dict)
    hit = api.get("/thrive/rest/v1/tags", headers=basic(str(tenant["id"]), creds["apiSecret"]))
    assert hit.status_code == 503
    open_page(page, live, "/faults")
    expect(row.locator(".seen")).to_have_text("1")
    expect(row.locator(".fired")).to_have_text("1")
    expect(row.locator("td").nth(3)).to_have_text("0")
    row.get_by_role("button", name="Remove").click()
    expect(row).to_have_count(0)
    assert all(f["id"] != int(fault_id) for f in api.get("/_emulator/faults").json())



def test_clock_of_one_tenant_advances_and_freezes(page: Page, live: LiveServer,
                                                  api: httpx.Client) -> None:
    tenant = new_tenant(api, "dmtd")
    open_page(page, live, "/clock")
    page.select_option("#clock-tenant", str(tenant["id"]))
    state = page.locator("#clock-state")
    expect(state.locator("[data-field=scope]")).to_have_text("global")
    page.fill("#clock-set input[name=set]", "2030-01-01T09:00:00Z")
    page.click("#clock-set button[type=submit]")
    expect(state.locator("[data-field=scope]")).to_have_text(str(tenant["id"]))
    page.click("#clock-freeze")
    expect(state.locator("[data-field=frozen]")).to_have_text("yes")
    expect(state.locator("[data-field=now]")).to_have_text("2030-01-01T09:00:00Z")
    page.fill("#clock-advance input[name=advance]", "P1DT2H")
    page.click("#clock-advance button[type=submit]")
    expect(state.locator("[data-field=now]")).to_have_text("2030-01-02T11:00:00Z")
    assert api.get("/_emulator/clock").json()["scope"] == "global"
    assert api.get("/_emulator/clock").json()["frozen"] is False
    page.click("#clock-real")
    expect(state.locator("[data-field=scope]")).to_have_text("global")


def test_snapshots_are_taken_restored_and_deleted(page: Page, live: LiveServer,
                                                  api: httpx.Client) -> None:
    tenant = new_tenant(api, "thrive")
    name = f"ui-{tenant['id']}"
    open_page(page, live, "/snapshots")
    page.fill("#snapshot-take input[name=name]", name)
    page.select_option("#snapshot-take select[name=tenant]", str(tenant["id"]))
    page.click("#snapshot-take button[type=submit]")
    expect(page.locator("#status")).to_have_text(re.compile(rf"^Snapshot {name} taken "
                                                            r"\(\d+ rows\)\.$"))
    row = page.locator(f"tr[data-snapshot='{name}']")
    expect(row.locator("td").nth(1)).to_have_text(str(tenant["id"]))

    creds = tenant["credentials"]
    assert isinstance(creds, dict)
    auth = basic(str(tenant["id"]), creds["apiSecret"])
    tags = api.get("/thrive/rest/v1/tags", headers=auth).json()
    assert api.delete(f"/_emulator/tenants/{tenant['id']}").status_code == 204
    row.get_by_role("button", name="Restore").click()
    expect(page.locator("#status")).to_have_text(f"Snapshot {name} restored.")
    assert api.get("/thrive/rest/v1/tags", headers=auth).json() == tags
    row.get_by_role("button", name="Delete").click()
    expect(page.locator("#status")).to_have_text(f"Snapshot {name} deleted.")
    expect(row).to_have_count(0)
    assert api.post(f"/_emulator/snapshots/{name}/restore").status_code == 404


def test_coverage_shows_what_a_tenants_calls_missed(page: Page, live: LiveServer,
                                                    api: httpx.Client) -> None:
    tenant = new_tenant(api, "thrive")
    creds = tenant["credentials"]
    assert isinstance(creds, dict)
    auth = basic(str(tenant["id"]), creds["apiSecret"])
    assert api.get("/thrive/rest/v1/tags", headers=auth).status_code == 200
    assert api.get(f"/thrive/rest/v1/tags/{'0' * 24}", headers=auth).status_code == 404

    open_page(page, live, "/coverage")
    page.select_option("#coverage-filter select[name=tenant]", str(tenant["id"]))
    page.click("#coverage-filter button[type=submit]")
    expect(page.locator("section.vendor")).to_have_count(1)
    expect(page.locator("section.vendor h2")).to_have_text(
        re.compile(r"^Thrive Learning — 2 of \d+ operations called$"))
    listed = page.locator("tr[data-operation=list_tags]")
    expect(listed).to_have_class("called")
    expect(listed.locator("td").nth(4)).to_have_text("200")
    expect(listed.locator("td.gaps")).to_have_text("401, 403")
    expect(page.locator("tr[data-operation=get_tag] td").nth(4)).to_have_text("404")
    expect(page.locator("tr[data-operation=create_user]")).to_have_class("uncalled")
    page.check("#coverage-filter input[name=gaps]")
    page.click("#coverage-filter button[type=submit]")
    expect(page.locator("tr[data-operation=create_user]")).to_have_count(1)


def test_the_admin_token_goes_with_every_api_call(page: Page, live: LiveServer) -> None:
    sent: list[str | None] = []
    page.on("request", lambda request: sent.append(request.headers.get("authorization"))
            if "/_emulator/" in request.url and "/ui" not in request.url else None)
    open_page(page, live, "/faults")
    assert sent
    assert set(sent) == {None}
    sent.clear()
    page.fill("#token", "s3cret-admin")
    with page.expect_navigation():
        page.click("#token-form button[type=submit]")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    assert sent
    assert set(sent) == {"Bearer s3cret-admin"}
    assert page.evaluate("sessionStorage.getItem('lmsEmulatorToken')") == "s3cret-admin"
    with page.expect_navigation():
        page.click("#token-clear")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    assert page.evaluate("sessionStorage.getItem('lmsEmulatorToken')") is None


def test_screenshot_of_every_page(page: Page, live: LiveServer, api: httpx.Client,
                                  tmp_path: Path) -> None:
    api.get("/thrive/rest/v1/tags", headers=THRIVE_AUTH)
    # A fault that matches nothing, so the Faults page has a row to show.
    fault = api.post("/_emulator/faults", json={"vendor": "dmtd", "tenant": "screenshot",
                                                "effect": {"type": "latency", "ms": 5}}).json()
    for path, name, title in PAGES:
        open_page(page, live, path)
        if name == "journal":
            page.locator("#journal tbody tr").first.click()
            expect(page.locator("#entry-response-body")).not_to_be_empty()
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("nav a[aria-current=page]")).to_have_text(title)
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert api.delete(f"/_emulator/faults/{fault['id']}").status_code == 204

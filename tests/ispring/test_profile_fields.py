"""Custom profile fields per account: the field list, every way a client sends values, reads,
searches, smart-group rules, and accounts made from packs and exports."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.control.test_export import export, make_tenant
from tests.ispring.support import (
    ALL_USERS,
    JSON,
    OWNER,
    SALES,
    U_ALICE,
    U_BOB,
    U_CAROL,
    USERS,
    XML_BODY,
    _fields,
    _user,
    as_xml,
    assert_error,
    assert_json_error,
    created_id,
    freeze,
    get_json,
    login,
    user_ids,
    user_xml,
    xml,
)
from tests.ispring.test_backend import SMALL_PACK

NOW = "2025-01-10T12:00:00"


def _new_user(user_id: str, **fields: str) -> dict[str, Any]:
    """A learner added to Sales at NOW, as `GET /user/{id}` answers in JSON."""
    return _user(user_id, "learner", "0a000005-5b70-11e9-b12b-22e9fbac4a59", SALES,
                 _fields(**fields), NOW, groups=["e1496214-acab-11e9-8db0-120a62f268a9"])


def test_a_custom_field_is_stored_and_every_account_field_reads_back(
        client: httpx.Client) -> None:
    freeze(client)
    response = client.post("/ispring/user", json={
        "departmentId": SALES, "fields": {"login": "erin", "EDUCATION_TITLE": "bachelor"}},
        headers=OWNER)
    user_id = created_id(response)
    expected = _new_user(user_id, LOGIN="erin", EDUCATION_TITLE="bachelor")
    assert [f["name"] for f in expected["fields"]] == [
        "LOGIN", "EMAIL", "FIRST_NAME", "LAST_NAME", "JOB_TITLE", "PHONE", "COUNTRY",
        "USER_DEFINED_FIELD1", "USER_DEFINED_FIELD2", "EDUCATION_TITLE", "USER_FIELD_xPH1D",
        "UB9mT"]
    assert get_json(client, f"/user/{user_id}") == expected
    assert xml(client.get(f"/ispring/user/{user_id}", headers=OWNER)) == {
        "response": {"userProfile": user_xml(expected)}}
    text = client.get(f"/ispring/user/{user_id}", headers=OWNER).text
    assert ("<field><name>EDUCATION_TITLE</name><value>bachelor</value></field>"
            "<field><name>USER_FIELD_xPH1D</name><value/></field>") in text


@pytest.mark.parametrize("body", [
    {"departmentId": SALES, "fields": {"LOGIN": "erin", "education_title": "master",
                                       "ub9mt": "CC-1", "User_Field_XPH1D": "1999-12-31"}},
    {"departmentId": SALES, "login": "erin", "fields": [
        {"name": "EDUCATION_TITLE", "value": "master"}, {"name": "UB9mT", "value": "CC-1"},
        {"name": "user_field_xph1d", "value": "1999-12-31"}]},
    f"<request><departmentId>{SALES}</departmentId><fields><login>erin</login>"
    "<EDUCATION_TITLE>master</EDUCATION_TITLE><UB9mT>CC-1</UB9mT>"
    "<USER_FIELD_xPH1D>1999-12-31</USER_FIELD_xPH1D></fields></request>",
    f"<request><departmentId>{SALES}</departmentId><fields>"
    "<field><name>login</name><value>erin</value></field>"
    "<field><name>EDUCATION_TITLE</name><value>master</value></field>"
    "<field><name>ub9mt</name><value>CC-1</value></field>"
    "<field><name>USER_FIELD_xPH1D</name><value>1999-12-31</value></field></fields></request>",
], ids=["object-any-case", "name-value-list", "xml-elements", "xml-field-list"])
def test_custom_fields_in_every_form_a_client_sends(client: httpx.Client,
                                                    body: dict[str, Any] | str) -> None:
    freeze(client)
    if isinstance(body, str):
        response = client.post("/ispring/user", content=body, headers={**OWNER, **XML_BODY})
    else:
        response = client.post("/ispring/user", json=body, headers=OWNER)
    user_id = created_id(response)
    assert get_json(client, f"/user/{user_id}") == _new_user(
        user_id, LOGIN="erin", EDUCATION_TITLE="master", UB9mT="CC-1",
        USER_FIELD_xPH1D="1999-12-31")


@pytest.mark.parametrize(("fields", "message"), [
    ({"login": "erin", "EDUCATION_TITLES": "x"},
     "Wrong parameters: unknown profile field EDUCATION_TITLES"),
    ({"login": "erin", "UB9mT2": "x"}, "Wrong parameters: unknown profile field UB9mT2"),
    ({"login": "erin", "USER_FIELD_xPH1D": "17.05.1994"},
     "Wrong parameters: USER_FIELD_xPH1D is not a valid date (YYYY-MM-DD)"),
    ({"login": "erin", "USER_FIELD_xPH1D": "1994-02-30"},
     "Wrong parameters: USER_FIELD_xPH1D is not a valid date (YYYY-MM-DD)"),
    ({"login": "erin", "EDUCATION_TITLE": "x" * 256},
     "Wrong parameters: EDUCATION_TITLE is longer than 255 characters"),
])
def test_a_field_the_account_does_not_have_is_refused(client: httpx.Client,
                                                      fields: dict[str, str],
                                                      message: str) -> None:
    body = {"departmentId": SALES, "fields": fields}
    assert_error(client.post("/ispring/user", json=body, headers=OWNER), 400, message)
    assert_json_error(client.post("/ispring/user", json=body, headers={**OWNER, **JSON}), 400,
                      message)
    assert_error(client.post(f"/ispring/user/{U_BOB}", json={"fields": fields}, headers=OWNER),
                 400, message)
    assert get_json(client, "/user") == [USERS[u] for u in ALL_USERS]


def test_update_a_custom_field(client: httpx.Client) -> None:
    response = client.post(f"/ispring/user/{U_BOB}", json={
        "fields": {"ub9mt": "CC-999", "education_title": "", "USER_FIELD_xPH1D": "1991-03-04"}},
        headers=OWNER)
    assert response.status_code == 200
    assert response.content == b""
    changed = {"UB9mT": "CC-999", "EDUCATION_TITLE": "", "USER_FIELD_xPH1D": "1991-03-04"}
    fields = [{"name": f["name"], "value": changed.get(f["name"], f["value"])}
              for f in USERS[U_BOB]["fields"]]
    assert get_json(client, f"/user/{U_BOB}") == {**USERS[U_BOB], "fields": fields}
    body = "<request><fields><UB9mT>CC-1000</UB9mT></fields></request>"
    assert client.post(f"/ispring/user/{U_BOB}", content=body,
                       headers={**OWNER, **XML_BODY}).status_code == 200
    assert {f["name"]: f["value"] for f in get_json(client, f"/user/{U_BOB}")["fields"]}[
        "UB9mT"] == "CC-1000"


def _paged(client: httpx.Client, body: dict[str, Any]) -> list[str]:
    response = client.post("/ispring/user/list", json=body, headers={**OWNER, **JSON})
    assert response.status_code == 200, response.text
    return [u["userId"] for u in response.json()["userProfiles"]]


def test_search_by_custom_fields(client: httpx.Client) -> None:
    assert _paged(client, {"profileFields": [
        {"name": "education_title", "values": ["bachelor", "master"]}]}) == [U_ALICE, U_BOB]
    assert _paged(client, {"profileFields": [{"name": "UB9mT", "values": ["CC-220"]}]}) == [U_BOB]
    assert _paged(client, {"profileFieldsDateRange": [
        {"name": "USER_FIELD_xPH1D", "from": "1990-01-01", "to": "1994-12-31"}]}) == [
        U_ALICE, U_CAROL]
    assert _paged(client, {"profileFieldsDateRange": [
        {"name": "user_field_xph1d", "from": "1991-01-01"}]}) == [U_ALICE]
    for body in ({"profileFields": [{"name": "NICKNAME", "values": ["x"]}]},
                 {"profileFieldsDateRange": [{"name": "NICKNAME", "from": "2020-01-01"}]}):
        assert_error(client.post("/ispring/user/list", json=body, headers=OWNER), 400,
                     "Wrong parameters: unknown profile field NICKNAME")


def test_smart_group_rule_on_a_custom_field(client: httpx.Client) -> None:
    rules = {"and": [{"or": [{"rule": {"attributeType": 3, "attributeId": "ub9mt",
                                       "operator": 1, "value": "cc-210"}}]}]}
    response = client.post("/ispring/group/smart", json={"name": "Cost center 210",
                                                          "rules": rules}, headers=OWNER)
    group_id = created_id(response)
    assert get_json(client, f"/group/{group_id}") == {
        "usersCount": 1, "userIds": [U_ALICE], "groupId": group_id, "name": "Cost center 210",
        "isSmart": True}
    assert user_ids(client, f"?groups[]={group_id}") == [U_ALICE]
    unknown = {"and": [{"or": [{"rule": {"attributeType": 3, "attributeId": "NICKNAME",
                                         "operator": 1, "value": "x"}}]}]}
    assert_error(client.post("/ispring/group/smart", json={"name": "N", "rules": unknown},
                             headers=OWNER), 400,
                 "Wrong parameters: unknown profile field NICKNAME")


def _owner(tenant: dict[str, Any]) -> dict[str, str]:
    creds = tenant["credentials"]
    password = next(u["password"] for u in creds["users"] if u["role"] == "owner")
    return login("owner@demo.example", password, creds["accountUrl"])


def test_custom_fields_survive_an_export_and_a_new_account_from_it(
        client: httpx.Client) -> None:
    freeze(client)
    source = make_tenant(client, "ispring")
    owner = _owner(source)
    user_id = created_id(client.post("/ispring/user", json={
        "departmentId": SALES, "fields": {"login": "erin", "education_title": "doctorate",
                                          "UB9mT": "CC-7"}}, headers=owner))
    pack = export(client, source["id"])
    assert [f["id"] for f in pack["profileFields"]][-3:] == [
        "EDUCATION_TITLE", "USER_FIELD_xPH1D", "UB9mT"]
    assert next(u for u in pack["users"] if u["id"] == user_id)["fields"] == {
        "EDUCATION_TITLE": "doctorate", "UB9mT": "CC-7"}
    copy = make_tenant(client, "ispring", pack)
    copy_owner = login("owner@demo.example", "demo-owner-pass",
                       copy["credentials"]["accountUrl"])
    for path in (f"/user/{user_id}", "/user/profile/fields"):
        assert (get_json(client, path, copy_owner) == get_json(client, path, owner))
    assert get_json(client, f"/user/{user_id}", copy_owner) == _new_user(
        user_id, LOGIN="erin", EDUCATION_TITLE="doctorate", UB9mT="CC-7")


# A pack that lists no profile fields (the inline pack of test_backend without its list).
TINY = {**{k: v for k, v in SMALL_PACK.items() if k != "profileFields"},
        "users": [{**SMALL_PACK["users"][0], "email": "boss@example.com",
                   "fields": {"first_name": "Bo"}}]}
SYSTEM = [("LOGIN", "login", "Login", "login", 1, 1), ("EMAIL", "email", "E-mail", "email", 1, 0),
          ("FIRST_NAME", "first_name", "First name", "first_name", 0, 0),
          ("LAST_NAME", "last_name", "Last name", "last_name", 0, 0),
          ("JOB_TITLE", "job_title", "Job title", "job_title", 0, 0),
          ("PHONE", "phone", "Phone", "phone", 0, 0),
          ("COUNTRY", "country", "Country", "country", 0, 0)]


def test_a_pack_without_a_field_list_gets_the_system_fields(client: httpx.Client) -> None:
    tenant = make_tenant(client, "ispring", TINY)
    boss = {**login("boss", "boss-pass", tenant["credentials"]["accountUrl"]), **JSON}
    assert get_json(client, "/user/profile/fields", boss) == [
        {"userFieldInfoId": f, "name": n, "label": label, "type": t, "isUnique": u,
         "isRequired": r, "orderPriority": i, "values": []}
        for i, (f, n, label, t, u, r) in enumerate(SYSTEM)]
    response = client.get("/ispring/user/profile/fields", headers={**boss, "Accept": "*/*"})
    assert xml(response)["response"]["userFieldInfo"][0] == {
        **{k: as_xml(v) for k, v in zip(
            ("userFieldInfoId", "name", "label", "type", "isUnique", "isRequired"),
            SYSTEM[0], strict=True)}, "orderPriority": "0", "values": None}
    (user,) = get_json(client, "/user", boss)
    assert user["fields"] == [{"name": f[0], "value": v} for f, v in zip(
        SYSTEM, ["boss", "boss@example.com", "Bo", "", "", "", ""], strict=True)]
    assert_error(client.post("/ispring/user", json={
        "departmentId": "00000000-0000-1000-8000-000000000001",
        "fields": {"login": "erin", "EDUCATION_TITLE": "bachelor"}},
        headers={**boss, "Accept": "*/*"}), 400,
        "Wrong parameters: unknown profile field EDUCATION_TITLE")


def test_a_pack_whose_users_name_unknown_fields_is_refused(client: httpx.Client) -> None:
    user = {**TINY["users"][0], "fields": {"EDUCATION_TITLE": "x"}}
    pack = {**TINY, "users": [user], "profileFields": [
        {"id": "LOGIN", "name": "login", "label": "Login", "type": "login"}]}
    response = client.post("/_emulator/tenants", json={"vendor": "ispring", "fixture": pack})
    assert response.status_code == 422
    assert response.json() == {"error": {"status": 422, "message": (
        "inline fixture: (top level): Value error, user 00000000-0000-1000-8000-0000000000b1: "
        "unknown profile field EDUCATION_TITLE; user 00000000-0000-1000-8000-0000000000b1: "
        "unknown profile field EMAIL")}}

"""Request bodies in every accepted spelling, query arrays, and bad input of every kind."""

from __future__ import annotations

import httpx
import pytest

from tests.ispring.support import (
    C_SECURITY,
    G_MENTORS,
    JSON,
    OWNER,
    ROOT,
    U_ALICE,
    U_BOB,
    U_CAROL,
    XML_BODY,
    assert_error,
    assert_json_error,
    created_id,
    created_ids,
)


def group_members(client: httpx.Client) -> list[str]:
    response = client.get(f"/ispring/group/{G_MENTORS}", headers={**OWNER, **JSON})
    assert response.status_code == 200
    members = response.json()["userIds"]
    assert isinstance(members, list)
    return members


@pytest.mark.parametrize("body", [
    # Indented with CRLF line ends, no prolog, another root element, attributes and namespaces.
    f"<request>\r\n  <userIds>\r\n    <id>{U_CAROL}</id>\r\n    <id>{U_ALICE}</id>\r\n"
    "  </userIds>\r\n</request>\r\n",
    f'<?xml version="1.0"?><UpdateGroupMembers xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    f'<userIds type="array"><id>{U_CAROL}</id><id>{U_ALICE}</id></userIds></UpdateGroupMembers>',
    f"<request><userIds>{U_CAROL}</userIds><userIds>{U_ALICE}</userIds></request>",
    f"<request><userIds><userId>{U_CAROL}</userId><userId>{U_ALICE}</userId></userIds>"
    "</request>",
])
def test_xml_body_spellings(client: httpx.Client, body: str) -> None:
    response = client.post(f"/ispring/group/{G_MENTORS}/members", content=body.encode(),
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 200, response.text
    assert group_members(client) == sorted([U_CAROL, U_ALICE])


@pytest.mark.parametrize(("content", "ctype"), [
    (f'{{"userIds": ["{U_CAROL}", "{U_ALICE}"]}}', "application/json; charset=utf-8"),
    (f"userIds[]={U_CAROL}&userIds[]={U_ALICE}", "application/x-www-form-urlencoded"),
    (f"userIds[0]={U_CAROL}&userIds[1]={U_ALICE}", "application/x-www-form-urlencoded"),
    (f"userIds[id][]={U_CAROL}&userIds[id][]={U_ALICE}", "application/x-www-form-urlencoded"),
    # Without a usable Content-Type the body is recognised by its first character.
    (f"<request><userIds><id>{U_CAROL}</id><id>{U_ALICE}</id></userIds></request>", None),
    (f'{{"userIds": ["{U_CAROL}", "{U_ALICE}"]}}', "text/plain"),
    (f"userIds[]={U_CAROL}&userIds[]={U_ALICE}", None),
])
def test_body_formats(client: httpx.Client, content: str, ctype: str | None) -> None:
    headers = {**OWNER, **({"Content-Type": ctype} if ctype else {})}
    response = client.post(f"/ispring/group/{G_MENTORS}/members", content=content.encode(),
                           headers=headers)
    assert response.status_code == 200, response.text
    assert group_members(client) == sorted([U_CAROL, U_ALICE])


def test_multipart_body(client: httpx.Client) -> None:
    response = client.post(f"/ispring/group/{G_MENTORS}/members", headers=OWNER,
                           files={"userIds[0]": (None, U_BOB), "userIds[1]": (None, U_CAROL)})
    assert response.status_code == 200
    assert group_members(client) == [U_BOB, U_CAROL]


def test_query_array_spellings(client: httpx.Client) -> None:
    for query in ("logins[]=alice.sales&logins[]=bob.east", "logins=alice.sales&logins=bob.east",
                  "logins[0]=alice.sales&logins[1]=bob.east", "logins=alice.sales,bob.east",
                  "logins[]=alice.sales,bob.east&logins[]="):
        response = client.get(f"/ispring/user?{query}", headers={**OWNER, **JSON})
        assert [u["userId"] for u in response.json()] == [U_ALICE, U_BOB], query


# -- bad input ------------------------------------------------------------------------------------

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                  b"<request><name>&lol3;</name></request>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b"<request><name>&x;</name></request>")


@pytest.mark.parametrize(("body", "message"), [
    (BILLION_LAUGHS, "Wrong parameters: XML with a DTD or entities is not accepted "
                     "(DTDForbidden)"),
    (XXE, "Wrong parameters: XML with a DTD or entities is not accepted (DTDForbidden)"),
    (b"<request><name>a</name>", "Wrong parameters: Malformed XML: no element found: line 1, "
                                 "column 23"),
    (b"<a/><b/>", "Wrong parameters: Malformed XML: junk after document element: line 1, "
                  "column 4"),
    (b"<request>" + b"<x>" * 40 + b"</x>" * 40 + b"</request>",
     "Wrong parameters: the body is nested too deeply"),
])
def test_hostile_xml_writes_nothing(client: httpx.Client, body: bytes, message: str) -> None:
    response = client.post("/ispring/group", content=body, headers={**OWNER, **XML_BODY})
    assert_error(response, 400, message)
    assert len(client.get("/ispring/group", headers={**OWNER, **JSON}).json()) == 4


@pytest.mark.parametrize(("body", "message"), [
    (b"[" * 100_000 + b"]" * 100_000, "Wrong parameters: Malformed JSON: nested too deeply"),
    (b'{"name": ' + b"[" * 40 + b"]" * 40 + b"}",
     "Wrong parameters: the body is nested too deeply"),
    (b'{"name": true}', "Wrong parameters: name must be a single value"),
    (b'{"name": "' + b"x" * 100_000 + b'"}', "Wrong parameters: name is longer than 255 "
                                             "characters"),
    (b"null", "Wrong parameters: name is required"),
    (b'"text"', "Wrong parameters: the JSON body must be an object"),
])
def test_bad_json(client: httpx.Client, body: bytes, message: str) -> None:
    response = client.post("/ispring/group", content=body,
                           headers={**OWNER, **JSON, "Content-Type": "application/json"})
    assert_json_error(response, 400, message)


def test_json_that_does_not_parse(client: httpx.Client) -> None:
    response = client.post("/ispring/group", content=b"\xff\xfe{",
                           headers={**OWNER, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<response>'
                                    "<code>400</code><message>Wrong parameters: Malformed JSON: ")


@pytest.mark.parametrize(("content", "ctype", "message"), [
    (b"name=\xff", "application/x-www-form-urlencoded",
     "Wrong parameters: the form body is not UTF-8"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--x--\r\n",
     "multipart/form-data; boundary=x",
     "Wrong parameters: malformed multipart body"),
    (b"a" + b"[b]" * 40 + b"=1", "application/x-www-form-urlencoded",
     "Wrong parameters: " + ("a" + "[b]" * 40)[:64] + " is nested too deeply"),
])
def test_bad_forms(client: httpx.Client, content: bytes, ctype: str, message: str) -> None:
    response = client.post("/ispring/group", content=content,
                           headers={**OWNER, "Content-Type": ctype})
    assert_error(response, 400, message)


def test_multipart_file_is_refused(client: httpx.Client) -> None:
    response = client.post("/ispring/group", headers=OWNER,
                           files={"name": ("name.txt", b"Team", "text/plain")})
    assert_error(response, 400, "Wrong parameters: name: files are not accepted")


def test_numbers_are_accepted_as_text(client: httpx.Client) -> None:
    new_id = created_id(client.post("/ispring/department", json={
        "name": 2025, "parentDepartmentId": ROOT, "code": 12}, headers=OWNER))
    got = client.get(f"/ispring/department/{new_id}", headers={**OWNER, **JSON}).json()
    assert (got["name"], got["code"]) == ("2025", "12")


def test_query_and_body_limits_answer_in_the_vendor_shape(client: httpx.Client) -> None:
    assert_error(client.get("/ispring/user?logins[]=" + "x" * 17_000, headers=OWNER), 414,
                 "Request URI too long")
    huge = b"<request>" + b" " * (10 * 1024 * 1024) + b"</request>"
    assert_error(client.post("/ispring/group", content=huge, headers={**OWNER, **XML_BODY}),
                 413, f"Request body exceeds {10 * 1024 * 1024} bytes")


def test_query_value_of_the_wrong_shape(client: httpx.Client) -> None:
    assert_error(client.get("/ispring/users?pageToken[a]=b", headers=OWNER), 400,
                 "Wrong parameters: pageToken must be a single value")


def test_a_failed_multi_row_write_leaves_nothing(client: httpx.Client) -> None:
    before = client.get("/ispring/enrollment", headers={**OWNER, **JSON}).json()
    body = {"courseIds": [C_SECURITY, "b3c10006-4e4a-11e9-9ddf-e6163e60333c",
                          "3fa85f64-5717-4562-b3fc-2c963f66afa6"],
            "learnerIds": [U_CAROL]}
    assert_error(client.post("/ispring/enrollment", json=body, headers=OWNER), 400,
                 "Unknown content item: 3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert client.get("/ispring/enrollment", headers={**OWNER, **JSON}).json() == before
    assert len(created_ids(client.post("/ispring/enrollment", json={
        **body, "courseIds": body["courseIds"][:2]}, headers=OWNER))) == 2


@pytest.mark.parametrize(("path", "body", "message"), [
    ("/enrollment", {"courseIds": [C_SECURITY], "learnerIds": [U_CAROL],
                     "dueDateType": "due_period", "duePeriod": 10**30},
     "Wrong parameters: duePeriod is out of range"),
    ("/enrollment", {"courseIds": [C_SECURITY], "learnerIds": [U_CAROL],
                     "accessDate": "9999-12-31", "dueDateType": "due_period", "duePeriod": 48},
     "Wrong parameters: the due date is out of range"),
    ("/enrollments", {"pageSize": 10**30}, "Wrong parameters: pageSize is out of range"),
    ("/gamification/points/award", {"userId": U_CAROL, "amount": 10**15, "reason": "x"},
     "Wrong parameters: amount is out of range"),
])
def test_numbers_out_of_range(client: httpx.Client, path: str, body: dict[str, object],
                              message: str) -> None:
    assert_error(client.post(f"/ispring{path}", json=body, headers=OWNER), 400, message)


def test_json_infinity_is_refused(client: httpx.Client) -> None:
    body = f'{{"userId": "{U_CAROL}", "amount": 1e400, "reason": "x"}}'.encode()
    response = client.post("/ispring/gamification/points/award", content=body,
                           headers={**OWNER, "Content-Type": "application/json"})
    assert_error(response, 400, "Wrong parameters: amount is out of range")


def test_extreme_but_valid_dates(client: httpx.Client) -> None:
    response = client.get("/ispring/learners/results?completionDate[endDate]=9999-12-31"
                          "&accessDate[startDate]=0001-01-01", headers={**OWNER, **JSON})
    assert response.status_code == 200
    # A completion-date bound keeps only the completed results.
    assert len(response.json()["results"]) == 3

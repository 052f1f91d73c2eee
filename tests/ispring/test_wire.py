"""Request bodies in every accepted spelling, query arrays, and bad input of every kind."""

from __future__ import annotations

import httpx
import pytest

from tests.ispring.support import (
    G_MENTORS,
    JSON,
    OWNER,
    U_ALICE,
    U_BOB,
    U_CAROL,
    XML_BODY,
    assert_error,
    assert_json_error,
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
    (b"null", "Wrong parameters: the body must not be null"),
    (b'{"name": null}', "Wrong parameters: name must not be null"),
    (b"", "Wrong parameters: the request body is required"),
    (b"{}", "Wrong parameters: name is required"),
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


def test_query_and_body_limits_answer_in_the_vendor_shape(client: httpx.Client) -> None:
    assert_error(client.get("/ispring/user?logins[]=" + "x" * 17_000, headers=OWNER), 414,
                 "Request URI too long")
    huge = b"<request>" + b" " * (10 * 1024 * 1024) + b"</request>"
    assert_error(client.post("/ispring/group", content=huge, headers={**OWNER, **XML_BODY}),
                 413, f"Request body exceeds {10 * 1024 * 1024} bytes")


def test_query_value_of_the_wrong_shape(client: httpx.Client) -> None:
    assert_error(client.get("/ispring/users?pageToken[a]=b", headers=OWNER), 400,
                 "Wrong parameters: pageToken must be a single value")

"""Assignments: the documented create example (Basic and OAuth), list, get, update, delete."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.thrive.support import (
    ASSIGNMENTS,
    AUDIENCES,
    AUTH,
    CONTENTS,
    MISSING_ID,
    NOW,
    READ_CLIENT,
    V1,
    assert_query_errors,
    bearer,
    error,
    read,
    token,
)

NOW_HEX = f"{int(datetime.fromisoformat(NOW).timestamp()):08x}"
EXAMPLE = {
    "audienceId": AUDIENCES["eng"],
    "contentId": CONTENTS["quiz"],
    "alternativeContentIds": [CONTENTS["kickoff"]],
    "hideAlternativeContent": True,
    "completionPeriod": 14,
    "recurrence": 90,
}


def created(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The assignment the example creates at NOW, with the id the emulator gave it."""
    assert len(body["id"]) == 24
    assert body["id"].startswith(NOW_HEX)
    return {"id": body["id"], "audienceId": AUDIENCES["eng"],
            "primaryContentId": CONTENTS["quiz"], "alternativeContentIds": [CONTENTS["kickoff"]],
            "hideAlternativeContent": True, "completionPeriod": 14, "recurrence": 90,
            "isActive": True, "isDeleted": False, "createdAt": NOW, "deletedAt": None,
            "updatedAt": NOW, **changes}


def demo_safety() -> dict[str, Any]:
    return {"id": ASSIGNMENTS["safety"], "audienceId": AUDIENCES["eng"],
            "primaryContentId": CONTENTS["safety"], "alternativeContentIds": [CONTENTS["video"]],
            "hideAlternativeContent": False, "completionPeriod": 1095, "recurrence": None,
            "isActive": True, "isDeleted": False, "createdAt": "2026-01-12T09:00:00.000Z",
            "deletedAt": None, "updatedAt": "2026-01-12T09:00:00.000Z"}


def listed(client: httpx.Client, query: str = "") -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = read(client, f"{V1}/assignments{query}")
    return body


pytestmark = pytest.mark.usefixtures("frozen")


# --- create: the user's example --------------------------------------------------------------


def test_create_assignment_with_basic_auth(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", headers=AUTH, json=EXAMPLE)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == created(body)
    assert client.get(f"{V1}/assignments/{body['id']}", headers=AUTH).json() == body
    assert listed(client)[-1] == body


def test_create_assignment_with_an_oauth_token(client: httpx.Client) -> None:
    access = bearer(token(client, scope="api/write"))
    response = client.post(f"{V1}/assignments", headers=access, json=EXAMPLE)
    assert response.status_code == 201
    body = response.json()
    assert body == created(body)
    assert client.get(f"{V1}/assignments/{body['id']}", headers=access).json() == body


def test_create_with_a_read_only_token_is_forbidden(client: httpx.Client) -> None:
    access = bearer(token(client, READ_CLIENT))
    response = client.post(f"{V1}/assignments", headers=access, json=EXAMPLE)
    assert response.status_code == 403
    assert response.json() == error(
        403, "This operation requires one of the scopes: api/write, api/all")
    assert len(listed(client)) == 3


def test_create_without_credentials_is_unauthorized(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", json=EXAMPLE)
    assert response.status_code == 401
    assert response.json() == error(
        401, "Missing credentials: use Basic auth or a Bearer access token")


def test_create_by_reference_with_alias_and_defaults(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", headers=AUTH, json={
        "audienceId": "sales", "primaryContentId": CONTENTS["quiz"].upper(), "extra": "ignored"})
    assert response.status_code == 201
    body = response.json()
    assert body == created(body, audienceId=AUDIENCES["sales"], alternativeContentIds=[],
                           hideAlternativeContent=False, completionPeriod=30, recurrence=None)


def test_create_enrols_the_audience_members(client: httpx.Client) -> None:
    body = client.post(f"{V1}/assignments", headers=AUTH, json=EXAMPLE).json()
    enrolments = client.get(f"{V1}/assignments/{body['id']}/enrolments", headers=AUTH).json()
    assert [(e["userId"], e["status"], e["availableDate"], e["dueDate"]) for e in enrolments] == [
        (user, "open", NOW, "2026-12-15T10:00:00.000Z")
        for user in ("68b552810000000001000002", "68b552820000000001000003",
                     "68b552830000000001000004", "68b552850000000001000006")]


_CREATE_REJECTS_BAD_VALUES = [
    ({"audienceId": None}, "audienceId: Input should be a valid string"),
    ({"contentId": None}, "contentId must not be null"),
    ({"audienceId": ""}, "audienceId: String should have at least 1 character"),
    ({"audienceId": "no-such-audience"}, "audienceId: audience 'no-such-audience' not found"),
    ({"contentId": MISSING_ID}, f"contentId: content '{MISSING_ID}' not found"),
    ({"contentId": "not-an-id"}, "contentId: content 'not-an-id' not found"),
    ({"alternativeContentIds": [CONTENTS["video"], MISSING_ID]},
     f"alternativeContentIds: content not found: {MISSING_ID}"),
    ({"alternativeContentIds": "x"}, "alternativeContentIds: Input should be a valid list"),
    ({"alternativeContentIds": [7]}, "alternativeContentIds.0: Input should be a valid string"),
    ({"alternativeContentIds": [CONTENTS["video"]] * 101},
     "alternativeContentIds: List should have at most 100 items after validation, not 101"),
    ({"completionPeriod": 0}, "completionPeriod: Input should be greater than or equal to 1"),
    ({"completionPeriod": 1096}, "completionPeriod: Input should be less than or equal to 1095"),
    ({"completionPeriod": "30"}, "completionPeriod: Input should be a valid integer"),
    ({"completionPeriod": 1.5}, "completionPeriod: Input should be a valid integer"),
    ({"recurrence": 0}, "recurrence: Input should be greater than or equal to 1"),
    ({"recurrence": 10**30}, "recurrence: Input should be less than or equal to 36500"),
    ({"hideAlternativeContent": "yes"}, "hideAlternativeContent: Input should be a valid boolean"),
    ({"primaryContentId": CONTENTS["video"]},
     "contentId and primaryContentId name different content"),
]


def test_create_rejects_bad_values(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for change, message in _CREATE_REJECTS_BAD_VALUES:
        with subtests.test(msg=repr((change, message))[:120]):
            response = client.post(f"{V1}/assignments", headers=AUTH, json={**EXAMPLE, **change})
            assert response.status_code == 422
            assert response.json() == error(422, message)
            assert len(listed(client)) == 3


_CREATE_REQUIRES_AUDIENCE_AND_CONTENT = [
    ({"contentId": CONTENTS["quiz"]}, "audienceId: Field required"),
    ({"audienceId": "engineering"}, "contentId is required"),
    ({}, "audienceId: Field required"),
]


def test_create_requires_audience_and_content(client: httpx.Client,
                                              subtests: pytest.Subtests) -> None:
    for body, message in _CREATE_REQUIRES_AUDIENCE_AND_CONTENT:
        with subtests.test(msg=repr((body, message))[:120]):
            response = client.post(f"{V1}/assignments", headers=AUTH, json=body)
            assert (response.status_code, response.json()) == (422, error(422, message))


_CREATE_REJECTS_BODIES_THAT_ARE_NOT_OBJECTS = [
    (b"{not json", "Request body is not valid JSON"),
    (b"", "Request body is not valid JSON"),
    (b"[1, 2]", "Request body must be a JSON object"),
    (b"null", "Request body must be a JSON object"),
    (b"\xff\xfe", "Request body is not valid JSON"),
]


def test_create_rejects_bodies_that_are_not_objects(client: httpx.Client,
                                                    subtests: pytest.Subtests) -> None:
    for content, message in _CREATE_REJECTS_BODIES_THAT_ARE_NOT_OBJECTS:
        with subtests.test(msg=repr((content, message))[:120]):
            response = client.post(f"{V1}/assignments", content=content,
                                   headers={**AUTH, "Content-Type": "application/json"})
            assert (response.status_code, response.json()) == (400, error(400, message))


def test_same_primary_content_for_the_same_audience_is_422(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", headers=AUTH, json={
        "audienceId": "engineering", "contentId": CONTENTS["safety"]})
    assert response.status_code == 422
    assert response.json() == error(422, "This content is already assigned to this audience")
    # The deleted Sales assignment does not block a new one with the same content.
    again = client.post(f"{V1}/assignments", headers=AUTH, json={
        "audienceId": "sales", "contentId": CONTENTS["leading"]})
    assert again.status_code == 201


def test_huge_string_values_are_refused_cleanly(client: httpx.Client) -> None:
    response = client.post(f"{V1}/assignments", headers=AUTH,
                           json={**EXAMPLE, "audienceId": "x" * 200_000})
    assert response.status_code == 422
    assert response.json()["message"].startswith("audienceId: audience 'xxxx")


# --- list and get ----------------------------------------------------------------------------


def test_list_is_a_bare_array_in_creation_order(client: httpx.Client) -> None:
    body = listed(client)
    assert [a["id"] for a in body] == list(ASSIGNMENTS.values())
    assert body[0] == demo_safety()
    assert body[2]["isDeleted"] is True
    assert body[2]["deletedAt"] == "2026-05-01T09:00:00.000Z"


_LIST_FILTERS_AND_PAGES = [
    ("?page=2&perPage=1", ["conduct"]),
    ("?page=1&perPage=2", ["safety", "conduct"]),
    ("?page=4&perPage=1", []),
    ("?limit=1&page=3", ["leading"]),
    ("?limit=1&perPage=3", ["safety", "conduct", "leading"]),
    ("?audienceId=engineering", ["safety"]),
    (f"?audienceId={AUDIENCES['company']}", ["conduct"]),
    ("?audienceId=no-such-audience", []),
    ("?updatedSince=2026-03-01", ["conduct", "leading"]),
    ("?updatedSince=2026-03-02T09:00:00.001Z", ["leading"]),
    ("?updatedSince=2026-05-01+09:00:00", ["leading"]),
    ("?page=&perPage=", ["safety", "conduct", "leading"]),
]


def test_list_filters_and_pages(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for query, expected in _LIST_FILTERS_AND_PAGES:
        with subtests.test(msg=repr((query, expected))[:120]):
            assert [a["id"] for a in listed(client, query)] == [ASSIGNMENTS[k] for k in expected]


_LIST_REJECTS_BAD_PARAMETERS = [
    ("?perPage=101", "perPage must be between 1 and 100"),
    ("?perPage=0", "perPage must be between 1 and 100"),
    ("?page=0", "page must be at least 1"),
    ("?page=abc", "page must be an integer"),
    ("?limit=101", "limit must be between 1 and 100"),
    ("?updatedSince=yesterday", "updatedSince must be an ISO 8601 date-time or a date"),
]


def test_list_rejects_bad_parameters(client: httpx.Client, subtests: pytest.Subtests) -> None:
    assert_query_errors(client, subtests, f"{V1}/assignments", _LIST_REJECTS_BAD_PARAMETERS)


def test_a_page_far_past_the_end_is_empty(client: httpx.Client) -> None:
    assert listed(client, f"?page={10**25}") == []


@pytest.mark.parametrize("assignment_id", [MISSING_ID, "not-an-id", "6964B81000000000050000"])
def test_get_unknown_assignment_is_404(client: httpx.Client, assignment_id: str) -> None:
    response = client.get(f"{V1}/assignments/{assignment_id}", headers=AUTH)
    assert (response.status_code, response.json()) == (404, error(404, "Assignment not found"))


def test_get_accepts_upper_case_hex(client: httpx.Client) -> None:
    response = client.get(f"{V1}/assignments/{ASSIGNMENTS['safety'].upper()}", headers=AUTH)
    assert response.json() == demo_safety()


# --- update ----------------------------------------------------------------------------------


def test_update_changes_only_the_fields_sent(client: httpx.Client) -> None:
    response = client.patch(f"{V1}/assignments/{ASSIGNMENTS['safety']}", headers=AUTH, json={
        "audienceId": "engineering", "completionPeriod": 60, "recurrence": 180,
        "alternativeContentIds": [CONTENTS["video"], CONTENTS["privacy"]],
        "hideAlternativeContent": True})
    assert response.status_code == 200
    expected = {**demo_safety(), "completionPeriod": 60, "recurrence": 180,
                "alternativeContentIds": [CONTENTS["video"], CONTENTS["privacy"]],
                "hideAlternativeContent": True, "updatedAt": NOW}
    assert response.json() == expected
    assert client.get(f"{V1}/assignments/{ASSIGNMENTS['safety']}", headers=AUTH).json() == \
        expected
    cleared = client.patch(f"{V1}/assignments/{ASSIGNMENTS['safety']}", headers=AUTH,
                           json={"recurrence": None, "contentId": CONTENTS["python"]})
    assert cleared.json() == {**expected, "recurrence": None,
                              "primaryContentId": CONTENTS["python"]}


_UPDATE_REJECTS_BAD_INPUT = [
    ({"audienceId": "sales"}, 422, "audienceId: 'sales' is not this assignment's audience"),
    ({"audienceId": "nowhere"}, 422, "audienceId: 'nowhere' is not this assignment's audience"),
    ({"contentId": MISSING_ID}, 422, f"contentId: content '{MISSING_ID}' not found"),
    ({"completionPeriod": None}, 422, "completionPeriod must not be null"),
    ({"completionPeriod": 2000}, 422,
     "completionPeriod: Input should be less than or equal to 1095"),
    ({"alternativeContentIds": None}, 422, "alternativeContentIds must not be null"),
    ([], 400, "Request body must be a JSON object"),
]


def test_update_rejects_bad_input(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for body, status, message in _UPDATE_REJECTS_BAD_INPUT:
        with subtests.test(msg=repr((body, status, message))[:120]):
            response = client.patch(f"{V1}/assignments/{ASSIGNMENTS['safety']}", headers=AUTH,
                                    json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert client.get(f"{V1}/assignments/{ASSIGNMENTS['safety']}", headers=AUTH).json() == \
                demo_safety()


def test_update_to_a_primary_already_assigned_is_422(client: httpx.Client) -> None:
    other = client.post(f"{V1}/assignments", headers=AUTH, json=EXAMPLE).json()
    response = client.patch(f"{V1}/assignments/{other['id']}", headers=AUTH,
                            json={"contentId": CONTENTS["safety"]})
    assert response.json() == error(422, "This content is already assigned to this audience")


def test_update_unknown_or_deleted_assignment_is_404(client: httpx.Client) -> None:
    for assignment_id in (MISSING_ID, ASSIGNMENTS["leading"]):
        response = client.patch(f"{V1}/assignments/{assignment_id}", headers=AUTH,
                                json={"completionPeriod": 5})
        assert (response.status_code, response.json()) == (404,
                                                           error(404, "Assignment not found"))


# --- delete ----------------------------------------------------------------------------------


def test_delete_with_an_audience_body_is_a_soft_delete(client: httpx.Client) -> None:
    url = f"{V1}/assignments/{ASSIGNMENTS['safety']}"
    response = client.request("DELETE", url, headers=AUTH, json={"audienceId": "engineering"})
    assert response.status_code == 204
    assert response.content == b""
    deleted = {**demo_safety(), "isActive": False, "isDeleted": True, "deletedAt": NOW,
               "updatedAt": NOW}
    assert client.get(url, headers=AUTH).json() == deleted
    assert listed(client)[0] == deleted
    again = client.delete(url, headers=AUTH)
    assert (again.status_code, again.json()) == (404, error(404, "Assignment not found"))
    patched = client.patch(url, headers=AUTH, json={"completionPeriod": 3})
    assert patched.status_code == 404
    statuses = {e["status"] for e in client.get(f"{url}/enrolments", headers=AUTH).json()}
    assert statuses == {"archived"}


def test_delete_without_a_body(client: httpx.Client) -> None:
    url = f"{V1}/assignments/{ASSIGNMENTS['conduct']}"
    assert client.delete(url, headers=AUTH).status_code == 204
    assert client.get(url, headers=AUTH).json()["isDeleted"] is True


_DELETE_REJECTS_A_BAD_BODY = [
    (b'{"audienceId": "sales"}', 422, "audienceId: 'sales' is not this assignment's audience"),
    (b'{"audienceId": 5}', 422, "audienceId: Input should be a valid string"),
    (b"{oops", 400, "Request body is not valid JSON"),
    (b'["engineering"]', 400, "Request body must be a JSON object"),
]


def test_delete_rejects_a_bad_body(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for content, status, message in _DELETE_REJECTS_A_BAD_BODY:
        with subtests.test(msg=repr((content, status, message))[:120]):
            url = f"{V1}/assignments/{ASSIGNMENTS['safety']}"
            response = client.request("DELETE", url, content=content,
                                      headers={**AUTH, "Content-Type": "application/json"})
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert client.get(url, headers=AUTH).json() == demo_safety()


def test_delete_unknown_assignment_is_404(client: httpx.Client) -> None:
    response = client.delete(f"{V1}/assignments/{MISSING_ID}", headers=AUTH)
    assert (response.status_code, response.json()) == (404, error(404, "Assignment not found"))


def test_ids_follow_creation_order_within_one_second(client: httpx.Client) -> None:
    made = [client.post(f"{V1}/assignments", headers=AUTH, json={
        "audienceId": "sales", "contentId": content}).json()["id"]
        for content in (CONTENTS["quiz"], CONTENTS["kickoff"], CONTENTS["privacy"])]
    assert made == sorted(made)
    assert [a["id"] for a in listed(client)][-3:] == made
    assert datetime.fromtimestamp(int(made[0][:8], 16), UTC).isoformat() == \
        "2026-12-01T10:00:00+00:00"

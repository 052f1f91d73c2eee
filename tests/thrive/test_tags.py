"""Tags, skill levels, and a learner's tags and skills."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.thrive.support import AUTH, CONTENTS, MISSING_ID, NOW, TAGS, USERS, V1, error

BEN_TAGS = f"{V1}/users/{USERS['ben']}/tags"
BEN_SKILLS = f"{V1}/users/{USERS['ben']}/skills"
PYTHON = {"tag": "python", "id": TAGS["python"], "contents": [CONTENTS["python"]],
          "campaigns": ["6600000000000000000000c1"], "interests": [USERS["dan"]],
          "skills": [USERS["ben"], USERS["cara"]]}


def skills_of(client: httpx.Client, user: str) -> list[str]:
    tags: list[str] = client.get(f"{V1}/user/{USERS[user]}", headers=AUTH).json()["tags"][
        "skills"]
    return tags


def tag(client: httpx.Client, name: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"{V1}/tags/{TAGS[name]}", headers=AUTH).json()
    return body


pytestmark = pytest.mark.usefixtures("frozen")


def test_list_tags_is_an_envelope(client: httpx.Client) -> None:
    response = client.get(f"{V1}/tags", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"totalResults": 4, "totalPages": 1, "page": 1, "perPage": 100}
    assert [t["tag"] for t in body["results"]] == ["safety", "leadership", "python",
                                                   "communication"]
    assert body["results"][2] == PYTHON
    paged = client.get(f"{V1}/tags?page=2&perPage=3", headers=AUTH).json()
    assert (paged["pagination"], [t["tag"] for t in paged["results"]]) == (
        {"totalResults": 4, "totalPages": 2, "page": 2, "perPage": 3}, ["communication"])


def test_get_tag(client: httpx.Client) -> None:
    response = client.get(f"{V1}/tags/{TAGS['python']}", headers=AUTH)
    assert (response.status_code, response.json()) == (200, PYTHON)
    missing = client.get(f"{V1}/tags/{MISSING_ID}", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, error(404, "Tag not found"))


def test_skill_levels_are_a_bare_array(client: httpx.Client) -> None:
    response = client.get(f"{V1}/skills/levels", headers=AUTH)
    assert response.status_code == 200
    assert response.json() == [
        {"name": "Not set", "isEnabled": False, "value": 0},
        {"name": "Beginner", "isEnabled": True, "value": 1},
        {"name": "Intermediate", "isEnabled": True, "value": 2},
        {"name": "Advanced", "isEnabled": True, "value": 3},
        {"name": "Expert", "isEnabled": True, "value": 4}]


def test_add_tags_makes_the_learner_skilled(client: httpx.Client) -> None:
    response = client.post(BEN_TAGS, headers=AUTH,
                           json={"tags": ["leadership", "safety", "leadership", "python"]})
    assert response.status_code == 200
    assert response.json() == {"status": 200,
                               "message": "3 tag(s) added successfully to the learner."}
    assert skills_of(client, "ben") == ["leadership", "python", "safety"]
    assert tag(client, "leadership")["skills"] == [USERS["ada"], USERS["ben"]]
    # Idempotent, and the tags the learner gained show up as recently updated.
    again = client.post(BEN_TAGS, headers=AUTH, json={"tags": ["safety"]})
    assert again.json() == {"status": 200,
                            "message": "1 tag(s) added successfully to the learner."}
    recent = client.get(f"{V1}/tags?updatedSince={NOW}", headers=AUTH).json()["results"]
    assert [t["tag"] for t in recent] == ["safety", "leadership"]


def test_remove_tags(client: httpx.Client) -> None:
    response = client.patch(BEN_TAGS, headers=AUTH,
                            json={"op": "remove", "path": "tags", "value": ["python", "safety"]})
    assert response.status_code == 200
    assert response.json() == {"status": 200,
                               "message": "2 tag(s) removed successfully from the learner."}
    assert skills_of(client, "ben") == []
    assert tag(client, "python")["skills"] == [USERS["cara"]]


def test_update_skills(client: httpx.Client) -> None:
    response = client.patch(BEN_SKILLS, headers=AUTH, json={
        "op": "update", "path": "skills",
        "value": [{"tagName": "leadership", "level": 2, "targetLevel": 4},
                  {"tagName": "python", "level": 1024.5}, {"tagName": "leadership"}]})
    assert response.status_code == 200
    assert response.json() == {"status": 200,
                               "message": "2 skill(s) updated successfully for the learner."}
    assert skills_of(client, "ben") == ["leadership", "python"]


_TAG_AND_SKILL_ERRORS = [
    ("POST", BEN_TAGS, {"tags": ["python", "nope", "zip"]}, 422,
     "tags: unknown tag(s): nope, zip"),
    ("POST", BEN_TAGS, {"tags": []}, 422,
     "tags: List should have at least 1 item after validation, not 0"),
    ("POST", BEN_TAGS, {"tags": ["python"] * 101}, 422,
     "tags: List should have at most 100 items after validation, not 101"),
    ("POST", BEN_TAGS, {"tags": "python"}, 422, "tags: Input should be a valid list"),
    ("POST", BEN_TAGS, {}, 422, "tags: Field required"),
    ("POST", BEN_TAGS, ["python"], 400, "Request body must be a JSON object"),
    ("POST", f"{V1}/users/{MISSING_ID}/tags", {"tags": ["python"]}, 404, "User not found"),
    ("POST", f"{V1}/users/{USERS['gone']}/tags", {"tags": ["python"]}, 404, "User not found"),
    ("PATCH", BEN_TAGS, {"op": "add", "path": "tags", "value": ["python"]}, 422,
     "op: Input should be 'remove'"),
    ("PATCH", BEN_TAGS, {"op": "remove", "value": ["python"]}, 422, "path: Field required"),
    ("PATCH", BEN_TAGS, {"op": "remove", "path": "tags", "value": ["ghost"]}, 422,
     "value: unknown tag(s): ghost"),
    ("PATCH", BEN_SKILLS, {"op": "update", "path": "tags", "value": [{"tagName": "python"}]},
     422, "path: Input should be 'skills'"),
    ("PATCH", BEN_SKILLS, {"op": "update", "path": "skills", "value": [{"level": 1}]}, 422,
     "value.0.tagName: Field required"),
    ("PATCH", BEN_SKILLS, {"op": "update", "path": "skills",
                           "value": [{"tagName": "python", "level": -2}]}, 422,
     "value.0.level: Input should be greater than or equal to -1"),
    ("PATCH", BEN_SKILLS, {"op": "update", "path": "skills",
                           "value": [{"tagName": "python", "targetLevel": "high"}]}, 422,
     "value.0.targetLevel: Input should be a valid number"),
    ("PATCH", BEN_SKILLS, {"op": "update", "path": "skills",
                           "value": [{"tagName": "ghost"}]}, 422, "value: unknown tag(s): ghost"),
    ("PATCH", BEN_SKILLS, {"op": "update", "path": "skills", "value": []}, 422,
     "value: List should have at least 1 item after validation, not 0"),
]


def test_tag_and_skill_errors(client: httpx.Client, subtests: pytest.Subtests) -> None:
    for method, url, body, status, message in _TAG_AND_SKILL_ERRORS:
        with subtests.test(msg=repr((method, url, body, status, message))[:120]):
            response = client.request(method, url, headers=AUTH, json=body)
            assert (response.status_code, response.json()) == (status, error(status, message))
            assert skills_of(client, "ben") == ["python"]


def test_removing_a_tag_the_learner_lacks_is_a_no_op(client: httpx.Client) -> None:
    response = client.patch(BEN_TAGS, headers=AUTH,
                            json={"op": "remove", "path": "tags", "value": ["safety"]})
    assert response.json() == {"status": 200,
                               "message": "1 tag(s) removed successfully from the learner."}
    assert skills_of(client, "ben") == ["python"]

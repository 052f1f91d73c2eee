"""iSpring request field types: numbers as text, out-of-range values, extreme dates."""

from __future__ import annotations

import httpx
import pytest

from tests.ispring.support import (
    C_SECURITY,
    JSON,
    OWNER,
    ROOT,
    U_CAROL,
    assert_error,
    created_id,
)


def test_numbers_are_accepted_as_text(client: httpx.Client) -> None:
    new_id = created_id(client.post("/ispring/department", json={
        "name": 2025, "parentDepartmentId": ROOT, "code": 12}, headers=OWNER))
    got = client.get(f"/ispring/department/{new_id}", headers={**OWNER, **JSON}).json()
    assert (got["name"], got["code"]) == ("2025", "12")


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

"""The unit of work: a failed multi-row write leaves nothing behind."""

from __future__ import annotations

import httpx

from tests.ispring.support import (
    C_SECURITY,
    JSON,
    OWNER,
    U_CAROL,
    assert_error,
    created_ids,
)


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

"""The documented assignment example against a freshly started server process, over a socket."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emulator.testing import ServerProcess
from tests.thrive.support import AUTH, CONTENTS, FULL_CLIENT, TENANT, basic, bearer

pytestmark = pytest.mark.live

EXAMPLE = {"audienceId": "engineering", "contentId": CONTENTS["quiz"],
           "alternativeContentIds": [CONTENTS["kickoff"]], "hideAlternativeContent": False,
           "completionPeriod": 30, "recurrence": 365}


def test_assignment_example_with_basic_and_oauth(tmp_path: Path) -> None:
    # Two worker processes: the token issued by one must work on the other.
    with ServerProcess("--workers", "2", db=tmp_path / "thrive.db") as server, \
            httpx.Client(base_url=f"{server.url}/thrive") as http:
        with_basic = http.post("/rest/v1/assignments", headers=AUTH, json=EXAMPLE)
        assert with_basic.status_code == 201, with_basic.text
        issued = http.post(f"/oauth2/token/{TENANT}", headers=basic(*FULL_CLIENT),
                           data={"grant_type": "client_credentials", "scope": "api/write"})
        assert issued.status_code == 200, issued.text
        access = bearer(issued.json()["access_token"])
        example = {**EXAMPLE, "audienceId": "sales"}
        with_token = http.post("/rest/v1/assignments", headers=access, json=example)
        assert with_token.status_code == 201, with_token.text
        for body, audience in ((with_basic.json(), "68c13e110000000003000002"),
                               (with_token.json(), "68c13e120000000003000003")):
            assert body == {**body, "audienceId": audience, "primaryContentId": CONTENTS["quiz"],
                            "isActive": True, "isDeleted": False, "deletedAt": None}
        # Every worker process finds the token: it lives in the database.
        for _ in range(8):
            listed = http.get("/rest/v1/assignments", headers=access)
            assert [a["id"] for a in listed.json()][-2:] == [with_basic.json()["id"],
                                                           with_token.json()["id"]]

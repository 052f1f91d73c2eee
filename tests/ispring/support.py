"""Shared test data for the iSpring tests: the demo account's credentials and fixed IDs."""

from __future__ import annotations

from typing import Any

import httpx
import xmltodict

ACCOUNT_URL = "https://demo.ispringlearn.com"
CLIENT_ID = "7d3c9e5a-1f2b-11ef-9a1b-0242ac120002"
CLIENT_SECRET = "ispring-demo-client-secret"
JSON = {"Accept": "application/json"}
XML_BODY = {"Content-Type": "application/xml"}
NOW = "2025-01-10T12:00:00Z"


def login(email: str, password: str, url: str = ACCOUNT_URL) -> dict[str, str]:
    return {"X-Auth-Account-Url": url, "X-Auth-Email": email, "X-Auth-Password": password}


OWNER = login("owner@demo.example", "demo-owner-pass")
ADMIN = login("admin@demo.example", "demo-admin-pass")
DEPT_ADMIN = login("deptadmin@demo.example", "demo-dept-pass")
AUTHOR = login("author@demo.example", "demo-author-pass")
HR = login("hr@demo.example", "demo-hr-pass")
LEARNER = login("learner@demo.example", "demo-learner-pass")

# Departments: Demo Company (root) > Sales > Sales East; Demo Company > Marketing.
ROOT = "b00ba37c-5b70-11e9-b12b-22e9fbac4a59"
SALES = "d479bc48-5b70-11e9-b12b-22e9fbac4a59"
SALES_EAST = "e1a7c2d0-5b70-11e9-b12b-22e9fbac4a59"
MARKETING = "c3a5e9f2-5b70-11e9-b12b-22e9fbac4a59"

ROLE_OWNER = "0a000001-5b70-11e9-b12b-22e9fbac4a59"
ROLE_ADMIN = "0a000002-5b70-11e9-b12b-22e9fbac4a59"
ROLE_DEPT_ADMIN = "0a000003-5b70-11e9-b12b-22e9fbac4a59"
ROLE_PUBLISHER = "0a000004-5b70-11e9-b12b-22e9fbac4a59"
ROLE_LEARNER = "0a000005-5b70-11e9-b12b-22e9fbac4a59"
ROLE_SUPERVISOR = "0a000006-5b70-11e9-b12b-22e9fbac4a59"
ROLE_CUSTOM = "0a000007-5b70-11e9-b12b-22e9fbac4a59"

U_OWNER = "1c6a1a10-5cff-11e9-9e6a-0a580af40692"
U_ADMIN = "2c6a1a10-5cff-11e9-9e6a-0a580af40692"
U_DEPT_ADMIN = "3c6a1a10-5cff-11e9-9e6a-0a580af40692"
U_AUTHOR = "4c6a1a10-5cff-11e9-9e6a-0a580af40692"
U_HR = "5c6a1a10-5cff-11e9-9e6a-0a580af40692"
U_LEARNER = "6c6a1a10-5cff-11e9-9e6a-0a580af40692"
U_ALICE = "7c6a1a10-5cff-11e9-9e6a-0a580af40692"  # Sales
U_BOB = "8c6a1a10-5cff-11e9-9e6a-0a580af40692"  # Sales East
U_CAROL = "9c6a1a10-5cff-11e9-9e6a-0a580af40692"  # Marketing
U_DAVE = "ac6a1a10-5cff-11e9-9e6a-0a580af40692"  # Marketing, blocked
ALL_USERS = [U_OWNER, U_ADMIN, U_DEPT_ADMIN, U_AUTHOR, U_HR, U_LEARNER, U_ALICE, U_BOB, U_CAROL,
             U_DAVE]

G_NEW_HIRES = "b1496214-acab-11e9-8db0-120a62f268a9"
G_MARKETING = "c1496214-acab-11e9-8db0-120a62f268a9"
G_MENTORS = "d1496214-acab-11e9-8db0-120a62f268a9"
G_ALL_SALES = "e1496214-acab-11e9-8db0-120a62f268a9"  # smart: Sales and its sub-departments

C_CAR = "86479c62-4e4a-11e9-9ddf-e6163e60333c"  # course: video + quiz, 720 h default due
C_PRODUCT = "9a1e5a20-4e4a-11e9-9ddf-e6163e60333c"  # course by the publisher
C_SECURITY = "a2f0c6e0-4e4a-11e9-9ddf-e6163e60333c"  # course: one quiz
C_VIDEO = "b3c10001-4e4a-11e9-9ddf-e6163e60333c"
C_CAR_QUIZ = "b3c10002-4e4a-11e9-9ddf-e6163e60333c"
C_CATALOG = "b3c10003-4e4a-11e9-9ddf-e6163e60333c"
C_PRODUCT_QUIZ = "b3c10004-4e4a-11e9-9ddf-e6163e60333c"
C_PHISHING = "b3c10005-4e4a-11e9-9ddf-e6163e60333c"
C_CONDUCT = "b3c10006-4e4a-11e9-9ddf-e6163e60333c"
C_TRACK = "c8d20001-4e4a-11e9-9ddf-e6163e60333c"
C_PITCH = "b3c10007-4e4a-11e9-9ddf-e6163e60333c"  # assignment, a module of C_PRODUCT
M_CAR_VIDEO = "e0a00001-4e4a-11e9-9ddf-e6163e60333c"
M_CAR_QUIZ = "e0a00002-4e4a-11e9-9ddf-e6163e60333c"
M_CATALOG = "e0a00003-4e4a-11e9-9ddf-e6163e60333c"
M_PRODUCT_QUIZ = "e0a00004-4e4a-11e9-9ddf-e6163e60333c"
M_TRAINING = "e0a00005-4e4a-11e9-9ddf-e6163e60333c"
M_PHISHING = "e0a00006-4e4a-11e9-9ddf-e6163e60333c"
M_PITCH = "e0a00007-4e4a-11e9-9ddf-e6163e60333c"
ATTEMPT = "a7700001-5b70-11e9-b12b-22e9fbac4a59"  # Carol's ungraded pitch

E_ALICE_CAR = "d48bd4fa-5b70-11e9-b12b-22e9fbac4a59"  # passed (the edit example's ID)
CERTIFICATE = "c3e7a1b0-5b70-11e9-b12b-22e9fbac4a59"  # issued for E_ALICE_CAR
CF_CATEGORY = "cf000001-4e4a-11e9-9ddf-e6163e60333c"
CF_LEVEL = "cf000002-4e4a-11e9-9ddf-e6163e60333c"
E_BOB_CAR = "d48bd4fb-5b70-11e9-b12b-22e9fbac4a59"  # in progress, overdue
E_CAROL_PRODUCT = "d48bd4fc-5b70-11e9-b12b-22e9fbac4a59"  # not started, overdue
E_ALICE_SECURITY = "d48bd4fd-5b70-11e9-b12b-22e9fbac4a59"  # failed
E_DAVE_CAR = "d48bd4fe-5b70-11e9-b12b-22e9fbac4a59"  # blocked learner
E_BOB_CONDUCT = "d48bd4ff-5b70-11e9-b12b-22e9fbac4a59"  # complete material
ALL_ENROLLMENTS = [E_ALICE_CAR, E_BOB_CAR, E_CAROL_PRODUCT, E_ALICE_SECURITY, E_DAVE_CAR,
                   E_BOB_CONDUCT]
UNKNOWN = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

# Enrollments as the API shows them (JSON).
ENROLLMENTS: dict[str, dict[str, Any]] = {
    E_ALICE_CAR: {"enrollmentId": E_ALICE_CAR, "courseId": C_CAR, "learnerId": U_ALICE,
                  "accessDate": "2024-01-15", "dueDate": "2024-02-15",
                  "expirationDate": "2024-02-15", "shouldLockAfterDueDate": True,
                  "certificate": {"issuedCertificateId": CERTIFICATE,
                                  "issueDate": "2024-01-17"},
                  "enrollmentTypeGroup": 0},
    E_BOB_CAR: {"enrollmentId": E_BOB_CAR, "courseId": C_CAR, "learnerId": U_BOB,
                "accessDate": "2024-01-15", "dueDate": "2024-02-14",
                "shouldLockAfterDueDate": False, "enrollmentTypeGroup": 0},
    E_CAROL_PRODUCT: {"enrollmentId": E_CAROL_PRODUCT, "courseId": C_PRODUCT,
                      "learnerId": U_CAROL, "accessDate": "2024-02-01", "dueDate": "2024-03-01",
                      "shouldLockAfterDueDate": False, "enrollmentTypeGroup": 0},
    E_ALICE_SECURITY: {"enrollmentId": E_ALICE_SECURITY, "courseId": C_SECURITY,
                       "learnerId": U_ALICE, "accessDate": "2024-02-10",
                       "shouldLockAfterDueDate": False, "enrollmentTypeGroup": 0},
    E_DAVE_CAR: {"enrollmentId": E_DAVE_CAR, "courseId": C_CAR, "learnerId": U_DAVE,
                 "accessDate": "2024-01-20", "shouldLockAfterDueDate": False,
                 "enrollmentTypeGroup": 0},
    E_BOB_CONDUCT: {"enrollmentId": E_BOB_CONDUCT, "courseId": C_CONDUCT, "learnerId": U_BOB,
                    "accessDate": "2024-01-12", "shouldLockAfterDueDate": False,
                    "enrollmentTypeGroup": 0},
}


def xml(response: httpx.Response) -> Any:
    """The response's XML as nested dicts (xmltodict), for whole-body comparisons."""
    assert response.headers["content-type"] == "application/xml", response.text
    return xmltodict.parse(response.content)


def as_xml(value: Any) -> Any:
    """How xmltodict reads an element whose JSON form is `value` (scalars become text).

    Objects are converted member by member; lists are left alone (their XML wrapping differs
    per element and is spelled out by each test).
    """
    if isinstance(value, dict):
        return {k: as_xml(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return None if value == "" else value


def error_json(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


def assert_error(response: httpx.Response, code: int, message: str) -> None:
    """The vendor's ErrorResponse, in XML (the default format)."""
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/xml"
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                             f"<response><code>{code}</code><message>{message}</message>"
                             "</response>")


def assert_json_error(response: httpx.Response, code: int, message: str) -> None:
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == error_json(code, message)


def access_token(client: httpx.Client) -> str:
    response = client.post("/ispring/api/v3/token", data={
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "grant_type": "client_credentials"})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


def freeze(client: httpx.Client, at: str = NOW) -> None:
    response = client.post("/_emulator/clock", json={"set": at, "freeze": True})
    assert response.status_code == 200, response.text


def created_ids(response: httpx.Response) -> list[str]:
    """The IDs of `POST /enrollment`'s XML body, in order."""
    assert response.status_code == 201, response.text
    ids = xml(response)["response"]["id"]
    return ids if isinstance(ids, list) else [ids]


def created_id(response: httpx.Response) -> str:
    """The new ID of a create: `<response>uuid</response>` on one line (§6)."""
    assert response.status_code == 201, response.text
    prefix = '<?xml version="1.0" encoding="UTF-8"?>\n<response>'
    assert response.text.startswith(prefix)
    assert response.text.endswith("</response>")
    new_id = response.text[len(prefix):-len("</response>")]
    assert len(new_id) == 36
    assert "<" not in new_id
    return new_id

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


TOKEN_FORM = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
              "grant_type": "client_credentials"}


ALL_DEPARTMENTS = [ROOT, MARKETING, SALES, SALES_EAST]


def department_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [d["departmentId"] for d in response.json()]


INHERIT = {"subordinationType": "inherit"}


# The demo account's profile fields in its order; a user reads back with all of them.
ACCOUNT_FIELDS = ["LOGIN", "EMAIL", "FIRST_NAME", "LAST_NAME", "JOB_TITLE", "PHONE", "COUNTRY",
                  "USER_DEFINED_FIELD1", "USER_DEFINED_FIELD2", "EDUCATION_TITLE",
                  "USER_FIELD_xPH1D", "UB9mT"]


def _fields(**values: str) -> list[dict[str, str]]:
    """A demo user's `fields` as read: every account field, "" where the user has no value."""
    assert set(values) <= set(ACCOUNT_FIELDS), values
    return [{"name": k, "value": values.get(k, "")} for k in ACCOUNT_FIELDS]


def _user(user_id: str, role: str, role_id: str, dept: str, fields: list[dict[str, str]],
          added: str, last_login: str | None = None, managed: list[str] | None = None,
          groups: list[str] | None = None, status: int = 1) -> dict[str, Any]:
    roles: list[dict[str, Any]] = [{"roleId": ROLE_LEARNER, "roleType": "learner"}]
    if role != "learner":
        extra: dict[str, Any] = {"roleId": role_id}
        if managed:
            extra["manageableDepartmentIds"] = managed
        roles.append({**extra, "roleType": role})
    user: dict[str, Any] = {
        "userId": user_id, "role": role, "roleId": role_id, "departmentId": dept,
        "status": status, "fields": fields, "addedDate": f"{added}+00:00"}
    if last_login:
        user["lastLoginDate"] = f"{last_login}+00:00"
    user.update({"manageableDepartmentIds": managed or [], "userRoles": roles,
                 "groups": groups or [], "subordination": INHERIT, "coSubordination": INHERIT})
    return user


USERS: dict[str, dict[str, Any]] = {
    U_OWNER: _user(U_OWNER, "owner", ROLE_OWNER, ROOT, _fields(
        LOGIN="owner@demo.example", EMAIL="owner@demo.example", FIRST_NAME="Olivia",
        LAST_NAME="Owner", JOB_TITLE="CEO"), "2024-01-02T08:00:00", "2024-06-03T09:15:00"),
    U_ADMIN: _user(U_ADMIN, "administrator", ROLE_ADMIN, ROOT, _fields(
        LOGIN="admin@demo.example", EMAIL="admin@demo.example", FIRST_NAME="Adam",
        LAST_NAME="Admin", JOB_TITLE="LMS Administrator"), "2024-01-02T08:05:00",
        "2024-06-01T10:00:00"),
    U_DEPT_ADMIN: _user(U_DEPT_ADMIN, "department_administrator", ROLE_DEPT_ADMIN, SALES, _fields(
        LOGIN="deptadmin@demo.example", EMAIL="deptadmin@demo.example", FIRST_NAME="Diana",
        LAST_NAME="Manager", JOB_TITLE="Head of Sales"), "2024-01-03T08:00:00",
        "2024-05-20T12:00:00", managed=[SALES], groups=[G_ALL_SALES]),
    U_AUTHOR: _user(U_AUTHOR, "publisher", ROLE_PUBLISHER, MARKETING, _fields(
        LOGIN="author@demo.example", EMAIL="author@demo.example", FIRST_NAME="Paul",
        LAST_NAME="Publisher", JOB_TITLE="Course Author"), "2024-01-03T09:00:00",
        managed=[MARKETING]),
    U_HR: _user(U_HR, "custom", ROLE_CUSTOM, MARKETING, _fields(
        LOGIN="hr@demo.example", EMAIL="hr@demo.example", FIRST_NAME="Helen",
        LAST_NAME="Recruiter", JOB_TITLE="HR Specialist"), "2024-01-04T09:00:00",
        managed=[MARKETING]),
    U_LEARNER: _user(U_LEARNER, "learner", ROLE_LEARNER, SALES, _fields(
        LOGIN="learner@demo.example", EMAIL="learner@demo.example", FIRST_NAME="Leo",
        LAST_NAME="Learner"), "2024-01-05T09:00:00", "2024-06-02T07:30:00",
        groups=[G_ALL_SALES]),
    U_ALICE: _user(U_ALICE, "learner", ROLE_LEARNER, SALES, _fields(
        LOGIN="alice.sales", EMAIL="alice@demo.example", FIRST_NAME="Alice",
        LAST_NAME="Seller", JOB_TITLE="Account Executive", PHONE="+1 555 0100",
        USER_DEFINED_FIELD1="E-1001", USER_DEFINED_FIELD2="London", EDUCATION_TITLE="master",
        USER_FIELD_xPH1D="1994-05-17", UB9mT="CC-210"), "2024-01-10T09:00:00",
        "2024-06-05T08:00:00", groups=[G_NEW_HIRES, G_ALL_SALES]),
    U_BOB: _user(U_BOB, "learner", ROLE_LEARNER, SALES_EAST, _fields(
        LOGIN="bob.east", EMAIL="bob@demo.example", FIRST_NAME="Bob", LAST_NAME="Easton",
        JOB_TITLE="Sales Representative", USER_DEFINED_FIELD1="E-1002",
        USER_DEFINED_FIELD2="Berlin", EDUCATION_TITLE="bachelor", UB9mT="CC-220"),
        "2024-01-11T09:00:00",
        groups=[G_NEW_HIRES, G_ALL_SALES]),
    U_CAROL: _user(U_CAROL, "learner", ROLE_LEARNER, MARKETING, _fields(
        LOGIN="carol.marketing", EMAIL="carol@demo.example", FIRST_NAME="Carol",
        LAST_NAME="Marketer", USER_DEFINED_FIELD1="E-1003", USER_FIELD_xPH1D="1990-11-02"),
        "2024-01-12T09:00:00",
        groups=[G_MARKETING]),
    U_DAVE: _user(U_DAVE, "learner", ROLE_LEARNER, MARKETING, _fields(
        LOGIN="dave.blocked", EMAIL="dave@demo.example", FIRST_NAME="Dave",
        LAST_NAME="Inactive"), "2024-01-12T10:00:00", groups=[G_MARKETING], status=3),
}


def _ids_xml(ids: list[str]) -> Any:
    if not ids:
        return None
    return {"id": ids[0] if len(ids) == 1 else ids}


def _items_xml(item: str, values: list[Any]) -> Any:
    """xmltodict's reading of a wrapper: None when empty, one dict, or a list."""
    if not values:
        return None
    return {item: values[0] if len(values) == 1 else values}


def user_xml(user: dict[str, Any]) -> dict[str, Any]:
    """How xmltodict reads a user whose JSON form is `user` (`userProfile`, `userProfileV2`)."""
    out: dict[str, Any] = {}
    for key, value in user.items():
        if key == "fields":
            out[key] = _items_xml("field", [as_xml(f) for f in value])
        elif key in ("manageableDepartmentIds", "groups"):
            out[key] = _ids_xml(value)
        elif key == "userRoles":
            out[key] = _items_xml("userRole", [
                {k: _ids_xml(v) if k == "manageableDepartmentIds" else v for k, v in r.items()}
                for r in value])
        else:
            out[key] = value if isinstance(value, dict) else as_xml(value)
    return out


def get_json(client: httpx.Client, path: str, headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"/ispring{path}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def user_ids(client: httpx.Client, query: str = "", headers: dict[str, str] = OWNER) -> list[str]:
    return [u["userId"] for u in get_json(client, f"/user{query}", headers)]


GROUPS = [
    {"groupId": G_NEW_HIRES, "name": "New Hires", "isSmart": False},
    {"groupId": G_MARKETING, "name": "Marketing Team", "isSmart": False},
    {"groupId": G_MENTORS, "name": "Mentors", "isSmart": False},
    {"groupId": G_ALL_SALES, "name": "All of Sales", "isSmart": True},
]


C_PRODUCT = "9a1e5a20-4e4a-11e9-9ddf-e6163e60333c"


CAR = "Sample Simulation - Car Sale Dialog"


def result(user: str, course: str, title: str, enrollment: str, access: str, status: str,
           progress: int, *, overdue: bool = False, due: str | None = None,
           expires: str | None = None, completed: str | None = None, spent: int = 0,
           score: int | None = None, passing: int | None = None, views: int = 0,
           ) -> dict[str, Any]:
    out: dict[str, Any] = {"userId": user, "courseId": course, "courseTitle": title,
                           "enrollmentId": enrollment, "accessDate": f"{access}+00:00"}
    for key, value in (("dueDate", due), ("expirationDate", expires),
                       ("completionDate", completed)):
        if value is not None:
            out[key] = f"{value}+00:00"
    out.update({"timeSpent": spent, "completionStatus": status})
    if score is not None:
        out["awardedScore"] = score
    if passing is not None:
        out["passingScore"] = passing
    out.update({"progress": progress, "isOverdue": overdue, "viewsCount": views})
    return out


RESULTS = {
    E_ALICE_CAR: result(U_ALICE, C_CAR, CAR, E_ALICE_CAR, "2024-01-15T09:00:00", "passed", 100,
                        due="2024-02-15T00:00:00", expires="2024-02-15T00:00:00",
                        completed="2024-01-17T11:30:00", spent=1500, score=90, passing=80,
                        views=3),
    E_BOB_CAR: result(U_BOB, C_CAR, CAR, E_BOB_CAR, "2024-01-15T09:00:00", "in_progress", 50,
                      overdue=True, due="2024-02-14T00:00:00", spent=540, passing=80, views=1),
    E_CAROL_PRODUCT: result(U_CAROL, C_PRODUCT, "Product Knowledge 101", E_CAROL_PRODUCT,
                            "2024-02-01T09:00:00", "not_started", 0, overdue=True,
                            due="2024-03-01T00:00:00"),
    E_ALICE_SECURITY: result(U_ALICE, C_SECURITY, "Security Awareness", E_ALICE_SECURITY,
                             "2024-02-10T09:00:00", "failed", 0,
                             completed="2024-02-12T15:00:00", spent=300, score=40, passing=70,
                             views=1),
    E_DAVE_CAR: result(U_DAVE, C_CAR, CAR, E_DAVE_CAR, "2024-01-20T09:00:00", "not_started", 0,
                       passing=80),
    E_BOB_CONDUCT: result(U_BOB, C_CONDUCT, "Code of Conduct", E_BOB_CONDUCT,
                          "2024-01-12T09:00:00", "complete", 100,
                          completed="2024-01-12T09:45:00", spent=1200, views=1),
}


ACTIVE = [E_ALICE_CAR, E_BOB_CAR, E_CAROL_PRODUCT, E_ALICE_SECURITY, E_BOB_CONDUCT]


def results(client: httpx.Client, query: str = "", headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"/ispring/learners/results{query}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def module_results(client: httpx.Client, query: str) -> Any:
    response = client.get(f"/ispring/learners/modules/results{query}",
                          headers={**OWNER, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


C_PITCH = "b3c10007-4e4a-11e9-9ddf-e6163e60333c"


ATTEMPT = "a7700001-5b70-11e9-b12b-22e9fbac4a59"


CAROL_ATTEMPT = {"attemptId": ATTEMPT, "enrollmentId": E_CAROL_PRODUCT, "userId": U_CAROL,
                 "comment": "My pitch, first take", "attachments": [
                     {"fileName": "pitch.mp4", "fileSize": 7340032,
                      "url": "https://demo.ispringlearn.com/files/a7700001/pitch.mp4"}]}


def library_id(prefix: str) -> str:
    """An ID of the demo's competency library or job training: `<prefix>-4e4a-…`."""
    return f"{prefix}-4e4a-11e9-9ddf-e6163e60333c"

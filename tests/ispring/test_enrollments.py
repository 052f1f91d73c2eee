"""Enrollments: the two documented examples verbatim, reads in XML and JSON, writes and errors."""

from __future__ import annotations

import httpx
import pytest

from tests.ispring.support import (
    ALL_ENROLLMENTS,
    AUTHOR,
    C_CAR,
    C_CONDUCT,
    C_PRODUCT,
    C_SECURITY,
    C_TRACK,
    DEPT_ADMIN,
    E_ALICE_CAR,
    E_ALICE_SECURITY,
    E_BOB_CAR,
    E_BOB_CONDUCT,
    E_CAROL_PRODUCT,
    E_DAVE_CAR,
    ENROLLMENTS,
    HR,
    JSON,
    LEARNER,
    OWNER,
    U_ALICE,
    U_BOB,
    U_CAROL,
    U_LEARNER,
    UNKNOWN,
    XML_BODY,
    access_token,
    as_xml,
    assert_error,
    assert_json_error,
    created_ids,
    freeze,
    xml,
)

# The request of the "Adding an Enrollment" doc page, byte for byte, with the demo course and
# learner in place of the doc's placeholder IDs.
CREATE_EXAMPLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<request>
\t<courseIds>
\t\t<id>{C_PRODUCT}</id>
\t</courseIds>
\t<learnerIds>
\t\t<id>{U_ALICE}</id>
\t</learnerIds>
\t<accessDate>2019-09-26</accessDate>
\t<dueDateType>unlimited</dueDateType>
\t<dueDate>2019-09-26</dueDate>
\t<duePeriod>0</duePeriod>
</request>"""

# The request of the "Editing an Enrollment" doc page, byte for byte (its enrollment ID exists in
# the demo account).
EDIT_EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<request>
\t<accessDate>2019-09-26</accessDate>
\t<dueDateType>unlimited</dueDateType>
\t<dueDate>2019-09-26 10:30:00</dueDate>
\t<duePeriod>0</duePeriod>
\t<lockAfterDueDate>true</lockAfterDueDate>
</request>"""


def enrollment_xml(e: dict[str, object]) -> object:
    return as_xml(e)


def get_enrollment(client: httpx.Client, enrollment_id: str) -> dict[str, object]:
    response = client.get(f"/ispring/enrollment/{enrollment_id}", headers={**OWNER, **JSON})
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def list_ids(client: httpx.Client) -> list[str]:
    response = client.get("/ispring/enrollment", headers={**OWNER, **JSON})
    assert response.status_code == 200
    return [e["enrollmentId"] for e in response.json()]


# -- the user's own examples --------------------------------------------------------------------

def test_create_example_with_login_headers(client: httpx.Client) -> None:
    # As the doc sends it: the vendor's own host, the path at the root.
    response = client.post("/enrollment", content=CREATE_EXAMPLE.encode(), headers={
        "Host": "api-learn.ispringlearn.ru",
        "X-Auth-Account-Url": "https://demo.ispringlearn.com",
        "X-Auth-Email": "owner@demo.example",
        "X-Auth-Password": "demo-owner-pass",
        "Content-Type": "application/xml",
    })
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/xml"
    (new_id,) = created_ids(response)
    assert response.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                             f"<response><id>{new_id}</id></response>")
    assert get_enrollment(client, new_id) == {
        "enrollmentId": new_id, "courseId": C_PRODUCT, "learnerId": U_ALICE,
        "accessDate": "2019-09-26", "shouldLockAfterDueDate": False, "enrollmentTypeGroup": 0}


def test_create_example_with_the_hosted_form_of_the_account_url(client: httpx.Client) -> None:
    headers = {**OWNER, **XML_BODY, "X-Auth-Account-Url": "http://DEMO.ispringlearn.com/"}
    response = client.post("/ispring/enrollment", content=CREATE_EXAMPLE.encode(),
                           headers=headers)
    assert len(created_ids(response)) == 1


def test_edit_example_with_raw_token(client: httpx.Client) -> None:
    token = access_token(client)
    response = client.post(f"/ispring/enrollment/{E_ALICE_CAR}", content=EDIT_EXAMPLE.encode(),
                           headers={"Authorization": token, "Content-Type": "application/xml"})
    assert response.status_code == 200
    assert response.content == b""
    # unlimited: no due date, so nothing to lock after (the given dueDate is ignored).
    assert get_enrollment(client, E_ALICE_CAR) == {
        "enrollmentId": E_ALICE_CAR, "courseId": C_CAR, "learnerId": U_ALICE,
        "accessDate": "2019-09-26", "shouldLockAfterDueDate": False,
        "certificate": ENROLLMENTS[E_ALICE_CAR]["certificate"], "enrollmentTypeGroup": 0}


def test_edit_example_with_bearer_token(client: httpx.Client) -> None:
    token = access_token(client)
    response = client.post(f"/ispring/enrollment/{E_BOB_CAR}", content=EDIT_EXAMPLE.encode(),
                           headers={"Authorization": f"Bearer {token}", **XML_BODY})
    assert response.status_code == 200
    assert get_enrollment(client, E_BOB_CAR)["accessDate"] == "2019-09-26"


def test_edit_example_by_a_department_administrator_outside_their_departments(
        client: httpx.Client) -> None:
    # Carol is in Marketing; the department administrator manages Sales only.
    response = client.post(f"/ispring/enrollment/{E_CAROL_PRODUCT}",
                           content=EDIT_EXAMPLE.encode(), headers={**DEPT_ADMIN, **XML_BODY})
    assert_error(response, 403, "Permission denied")
    assert get_enrollment(client, E_CAROL_PRODUCT) == ENROLLMENTS[E_CAROL_PRODUCT]


def test_edit_example_by_a_department_administrator_in_a_sub_department(
        client: httpx.Client) -> None:
    # Bob is in Sales East, below Sales.
    response = client.post(f"/ispring/enrollment/{E_BOB_CAR}", content=EDIT_EXAMPLE.encode(),
                           headers={**DEPT_ADMIN, **XML_BODY})
    assert response.status_code == 200


def test_create_example_by_a_learner_is_forbidden(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", content=CREATE_EXAMPLE.encode(),
                           headers={**LEARNER, **XML_BODY})
    assert_error(response, 403, "Permission denied")


@pytest.mark.parametrize("headers", [
    {**OWNER, "X-Auth-Password": "12345Q"},
    {"X-Auth-Account-Url": OWNER["X-Auth-Account-Url"], "X-Auth-Email": "owner@demo.example"},
    {**OWNER, "X-Auth-Account-Url": "http://myaccount.ispringlearn.ru"},
    {"Authorization": "p-1sJDjmULL5DdpXPJTcbm4jVIaWVHvNmrjAxATRbNE"},
])
def test_create_example_with_bad_credentials(client: httpx.Client,
                                             headers: dict[str, str]) -> None:
    response = client.post("/ispring/enrollment", content=CREATE_EXAMPLE.encode(),
                           headers={**headers, **XML_BODY})
    assert_error(response, 401, "Authorization failed")
    assert len(list_ids(client)) == len(ALL_ENROLLMENTS)


# -- reads --------------------------------------------------------------------------------------

def test_get_enrollments_xml(client: httpx.Client) -> None:
    response = client.get("/ispring/enrollment", headers=OWNER)
    assert response.status_code == 200
    assert xml(response) == {"response": {"enrollment": [
        enrollment_xml(ENROLLMENTS[i]) for i in ALL_ENROLLMENTS]}}


def test_get_enrollments_json_is_a_bare_array(client: httpx.Client) -> None:
    response = client.get("/ispring/enrollment", headers={**OWNER, **JSON})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == [ENROLLMENTS[i] for i in ALL_ENROLLMENTS]


FILTERS = [
    (f"learnerIds[]={U_ALICE}", [E_ALICE_CAR, E_ALICE_SECURITY]),
    (f"courseIds[]={C_CAR}&learnerIds[]={U_BOB}", [E_BOB_CAR]),
    (f"courseIds[]={C_SECURITY}&courseIds[]={C_CONDUCT}", [E_ALICE_SECURITY, E_BOB_CONDUCT]),
    (f"courseIds={C_SECURITY},{C_CONDUCT}", [E_ALICE_SECURITY, E_BOB_CONDUCT]),
    (f"enrollmentIds[0]={E_DAVE_CAR}", [E_DAVE_CAR]),
    (f"learnerIds[]={UNKNOWN}", []),
    ("learnerIds[]=not-an-id", []),
]


def test_get_enrollments_filters(client: httpx.Client) -> None:
    for query, expected in FILTERS:
        response = client.get(f"/ispring/enrollment/?{query}", headers={**OWNER, **JSON})
        assert response.status_code == 200
        assert response.json() == [ENROLLMENTS[i] for i in expected], query


def test_get_enrollments_empty_list_xml(client: httpx.Client) -> None:
    response = client.get(f"/ispring/enrollment?learnerIds[]={UNKNOWN}", headers=OWNER)
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?>\n<response/>'


def test_get_enrollments_one_item_stays_a_list_in_xml(client: httpx.Client) -> None:
    response = client.get(f"/ispring/enrollment?enrollmentIds[]={E_DAVE_CAR}", headers=OWNER)
    e = ENROLLMENTS[E_DAVE_CAR]
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><enrollment>'
        f"<enrollmentId>{E_DAVE_CAR}</enrollmentId><courseId>{e['courseId']}</courseId>"
        f"<learnerId>{e['learnerId']}</learnerId><accessDate>2024-01-20</accessDate>"
        "<shouldLockAfterDueDate>0</shouldLockAfterDueDate>"
        "<enrollmentTypeGroup>0</enrollmentTypeGroup></enrollment></response>")


def test_department_administrator_sees_only_their_learners(client: httpx.Client) -> None:
    response = client.get("/ispring/enrollment", headers={**DEPT_ADMIN, **JSON})
    assert response.json() == [ENROLLMENTS[i] for i in
                               (E_ALICE_CAR, E_BOB_CAR, E_ALICE_SECURITY, E_BOB_CONDUCT)]


def test_get_enrollment_xml_and_json(client: httpx.Client) -> None:
    response = client.get(f"/ispring/enrollment/{E_ALICE_CAR}", headers=OWNER)
    assert xml(response) == {"response": {"enrollment": enrollment_xml(
        ENROLLMENTS[E_ALICE_CAR])}}
    assert get_enrollment(client, E_ALICE_CAR) == ENROLLMENTS[E_ALICE_CAR]


def test_get_unknown_enrollment(client: httpx.Client) -> None:
    for enrollment_id in (UNKNOWN, "not-an-id"):
        assert_error(client.get(f"/ispring/enrollment/{enrollment_id}", headers=OWNER), 404,
                     "Unknown Enrollment")
        assert_json_error(client.get(f"/ispring/enrollment/{enrollment_id}",
                                     headers={**OWNER, **JSON}), 404, "Unknown Enrollment")


def test_get_enrollment_outside_scope(client: httpx.Client) -> None:
    assert_error(client.get(f"/ispring/enrollment/{E_CAROL_PRODUCT}", headers=DEPT_ADMIN), 403,
                 "Permission denied")


def test_learner_may_not_read_enrollments(client: httpx.Client) -> None:
    assert_error(client.get("/ispring/enrollment", headers=LEARNER), 403, "Permission denied")


def test_there_is_no_delete_by_id(client: httpx.Client) -> None:
    assert_error(client.delete(f"/ispring/enrollment/{E_ALICE_CAR}", headers=OWNER), 405,
                 "Method not allowed")


# -- paged lists --------------------------------------------------------------------------------

def test_list_enrollments_pages(client: httpx.Client) -> None:
    first = client.get("/ispring/enrollments?pageSize=4&pageToken=", headers={**OWNER, **JSON})
    assert first.status_code == 200
    body = first.json()
    token = body["nextPageToken"]
    assert body == {"enrollments": [ENROLLMENTS[i] for i in ALL_ENROLLMENTS[:4]],
                    "nextPageToken": token}
    second = client.get(f"/ispring/enrollments?pageSize=4&pageToken={token}",
                        headers={**OWNER, **JSON})
    assert second.json() == {"enrollments": [ENROLLMENTS[i] for i in ALL_ENROLLMENTS[4:]]}


def test_list_enrollments_xml_wrappers(client: httpx.Client) -> None:
    response = client.get(f"/ispring/enrollments?pageSize=1&courseIds[]={C_CAR}", headers=OWNER)
    body = xml(response)
    token = body["response"]["nextPageToken"]
    assert body == {"response": {
        "enrollments": {"enrollment": enrollment_xml(ENROLLMENTS[E_ALICE_CAR])},
        "nextPageToken": token}}
    last = client.get(f"/ispring/enrollments?pageSize=5&courseIds[]={C_TRACK}", headers=OWNER)
    assert last.text == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                         "<response><enrollments/></response>")


def test_list_enrollments_by_post(client: httpx.Client) -> None:
    body = (f"<request><courseIds>{C_CAR}</courseIds><courseIds>{C_SECURITY}</courseIds>"
            f"<learnerIds>{U_ALICE}</learnerIds><pageSize>1</pageSize></request>")
    response = client.post("/ispring/enrollments", content=body,
                           headers={**OWNER, **XML_BODY, **JSON})
    assert response.status_code == 200
    token = response.json()["nextPageToken"]
    assert response.json() == {"enrollments": [ENROLLMENTS[E_ALICE_CAR]], "nextPageToken": token}
    # The OAS types pageToken as an integer; clients generated from it send the token as JSON.
    second = client.post("/ispring/enrollments", json={
        "courseIds": [C_CAR, C_SECURITY], "learnerIds": [U_ALICE], "pageSize": 1,
        "pageToken": token}, headers={**OWNER, **JSON})
    assert second.json() == {"enrollments": [ENROLLMENTS[E_ALICE_SECURITY]]}


def test_list_enrollments_bad_paging(client: httpx.Client) -> None:
    for query, message in (
            ("pageSize=0", "Wrong parameters: pageSize must be a positive integer"),
            ("pageSize=abc", "Wrong parameters: pageSize must be an integer"),
            ("pageToken=%%%", "Wrong parameters: pageToken is invalid"),
            ("pageToken=%FF%FE", "Wrong parameters: pageToken is invalid")):
        assert_error(client.get(f"/ispring/enrollments?{query}", headers=OWNER), 400, message)


# -- create ---------------------------------------------------------------------------------------

def test_create_is_course_major_and_keeps_existing_pairs(client: httpx.Client) -> None:
    freeze(client)
    response = client.post("/ispring/enrollment", json={
        "courseIds": [C_SECURITY, C_CAR], "learnerIds": [U_CAROL, U_ALICE],
        "dueDateType": "unlimited"}, headers={**OWNER, **JSON})
    assert response.status_code == 201
    ids = response.json()
    assert isinstance(ids, list)
    assert len(ids) == 4
    assert ids[1] == E_ALICE_SECURITY
    assert ids[3] == E_ALICE_CAR
    assert get_enrollment(client, ids[0]) == {
        "enrollmentId": ids[0], "courseId": C_SECURITY, "learnerId": U_CAROL,
        "accessDate": "2025-01-10", "shouldLockAfterDueDate": False, "enrollmentTypeGroup": 0}
    assert get_enrollment(client, ids[2])["courseId"] == C_CAR
    assert get_enrollment(client, E_ALICE_CAR) == ENROLLMENTS[E_ALICE_CAR]


def test_create_without_due_date_type_applies_the_course_default(client: httpx.Client) -> None:
    freeze(client)
    body = f"<request><courseIds><id>{C_CAR}</id></courseIds><learnerIds><id>{U_CAROL}</id>" \
           "</learnerIds><lockAfterDueDate>1</lockAfterDueDate></request>"
    (new_id,) = created_ids(client.post("/ispring/enrollment", content=body,
                                        headers={**OWNER, **XML_BODY}))
    # The car course's default due period is 720 hours.
    assert get_enrollment(client, new_id) == {
        "enrollmentId": new_id, "courseId": C_CAR, "learnerId": U_CAROL,
        "accessDate": "2025-01-10", "dueDate": "2025-02-09", "expirationDate": "2025-02-09",
        "shouldLockAfterDueDate": True, "enrollmentTypeGroup": 0}


def test_create_due_period_as_a_string_with_microseconds_and_a_due_date(
        client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", json={
        "courseIds": [C_SECURITY], "learnerIds": [U_CAROL],
        "accessDate": "2024-05-24 10:00:00.123456", "dueDateType": "due_period",
        "duePeriod": "48", "dueDate": "2024-06-01"}, headers={**OWNER, **JSON})
    (new_id,) = response.json()
    assert get_enrollment(client, new_id) == {
        "enrollmentId": new_id, "courseId": C_SECURITY, "learnerId": U_CAROL,
        "accessDate": "2024-05-24", "dueDate": "2024-05-26", "shouldLockAfterDueDate": False,
        "enrollmentTypeGroup": 0}


def test_create_due_date_with_iso_dates(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", json={
        "courseIds": [C_SECURITY], "learnerIds": [U_CAROL],
        "accessDate": "2024-05-24T10:00:00.000Z", "dueDateType": "due_date",
        "dueDate": "2024-07-01T00:00:00Z", "lockAfterDueDate": "TRUE"},
        headers={**OWNER, **JSON})
    (new_id,) = response.json()
    assert get_enrollment(client, new_id) == {
        "enrollmentId": new_id, "courseId": C_SECURITY, "learnerId": U_CAROL,
        "accessDate": "2024-05-24", "dueDate": "2024-07-01", "expirationDate": "2024-07-01",
        "shouldLockAfterDueDate": True, "enrollmentTypeGroup": 0}


def test_create_with_a_multipart_form_and_php_keys(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", headers=OWNER, files={
        "learnerIds[id]": (None, U_CAROL), "courseIds[id][0]": (None, C_SECURITY),
        "courseIds[id][1]": (None, C_CONDUCT), "dueDateType": (None, "unlimited")})
    ids = created_ids(response)
    assert [get_enrollment(client, i)["courseId"] for i in ids] == [C_SECURITY, C_CONDUCT]


def test_create_with_a_urlencoded_form(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", headers=OWNER, data={
        "learnerIds[]": [U_CAROL, U_BOB], "courseIds[]": C_SECURITY})
    ids = created_ids(response)
    assert [get_enrollment(client, i)["learnerId"] for i in ids] == [U_CAROL, U_BOB]


def test_publisher_enrolls_into_own_course_only(client: httpx.Client) -> None:
    own = client.post("/ispring/enrollment", json={"courseIds": [C_PRODUCT],
                                                    "learnerIds": [U_CAROL]}, headers=AUTHOR)
    assert own.status_code == 201
    other = client.post("/ispring/enrollment", json={"courseIds": [C_CAR],
                                                      "learnerIds": [U_CAROL]}, headers=AUTHOR)
    assert_error(other, 403, "Permission denied")


def test_custom_role_enrolls_learners_of_its_departments(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", json={"courseIds": [C_SECURITY],
                                                         "learnerIds": [U_CAROL]}, headers=HR)
    assert response.status_code == 201
    assert_error(client.post("/ispring/enrollment", json={
        "courseIds": [C_SECURITY], "learnerIds": [U_ALICE]}, headers=HR), 403,
        "Permission denied")


@pytest.mark.parametrize(("body", "message"), [
    ({"courseIds": [], "learnerIds": [U_CAROL]}, "Wrong parameters: courseIds must not be empty"),
    ({"learnerIds": [U_CAROL]}, "Wrong parameters: courseIds is required"),
    ({"courseIds": [C_CAR], "learnerIds": ["nope"]},
     "Wrong parameters: learnerIds is not a valid ID: nope"),
    ({"courseIds": [C_CAR], "learnerIds": [7]},
     "Wrong parameters: learnerIds must be a list of IDs"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL, UNKNOWN]}, f"Unknown user: {UNKNOWN}"),
    ({"courseIds": [UNKNOWN], "learnerIds": [U_CAROL]}, f"Unknown content item: {UNKNOWN}"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL], "dueDateType": "soon"},
     "Wrong parameters: dueDateType must be one of unlimited, default, due_date, due_period"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL], "dueDateType": "due_date"},
     "Wrong parameters: dueDate is required when dueDateType is due_date"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL], "dueDateType": "due_period"},
     "Wrong parameters: duePeriod (hours, at least 1) is required when dueDateType is "
     "due_period"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL], "accessDate": "2019-02-30"},
     "Wrong parameters: accessDate is not a valid date"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL], "duePeriod": "12h"},
     "Wrong parameters: duePeriod must be an integer"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL], "lockAfterDueDate": "yes"},
     "Wrong parameters: lockAfterDueDate must be true or false"),
    ({"courseIds": [C_CAR], "learnerIds": [U_CAROL], "sendEmail": True},
     "Wrong parameters: unknown parameter sendEmail"),
    ({"courseIds": {"id": {"nested": [C_CAR]}}, "learnerIds": [U_CAROL], "accessDate": ["x"]},
     "Wrong parameters: accessDate must be a single value"),
])
def test_create_bad_requests_write_nothing(client: httpx.Client, body: dict[str, object],
                                           message: str) -> None:
    response = client.post("/ispring/enrollment", json=body, headers={**OWNER, **JSON})
    assert_json_error(response, 400, message)
    assert len(list_ids(client)) == len(ALL_ENROLLMENTS)


def test_create_for_a_learner_outside_the_scope(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", json={
        "courseIds": [C_SECURITY], "learnerIds": [U_BOB, U_CAROL]}, headers=DEPT_ADMIN)
    assert_error(response, 403, "Permission denied")
    assert len(list_ids(client)) == len(ALL_ENROLLMENTS)


@pytest.mark.parametrize(("body", "message"), [
    (b"<request><courseIds><id>x</courseIds></request>",
     "Wrong parameters: Malformed XML: mismatched tag: line 1, column 27"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><request>&a;</request>',
     "Wrong parameters: XML with a DTD or entities is not accepted (DTDForbidden)"),
    (b"", "Wrong parameters: the request body is required"),
    (b"<request/>", "Wrong parameters: courseIds is required"),
    (b"<request>text</request>",
     "Wrong parameters: the request element must contain parameters"),
])
def test_create_malformed_xml(client: httpx.Client, body: bytes, message: str) -> None:
    response = client.post("/ispring/enrollment", content=body, headers={**OWNER, **XML_BODY})
    assert_error(response, 400, message)


def test_create_malformed_json(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment", content=b'{"courseIds": [',
                           headers={**OWNER, **JSON, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert response.json()["message"].startswith("Wrong parameters: Malformed JSON: ")
    not_object = client.post("/ispring/enrollment", json=[C_CAR],
                             headers={**OWNER, **JSON})
    assert_json_error(not_object, 400, "Wrong parameters: the JSON body must be an object")


# -- edit, re-enroll, delete ----------------------------------------------------------------------

def test_edit_to_a_due_period(client: httpx.Client) -> None:
    response = client.post(f"/ispring/enrollment/{E_CAROL_PRODUCT}", json={
        "accessDate": "2024-03-01 08:00:00", "dueDateType": "due_period", "duePeriod": 36,
        "lockAfterDueDate": False}, headers=OWNER)
    assert response.status_code == 200
    assert get_enrollment(client, E_CAROL_PRODUCT) == {
        **ENROLLMENTS[E_CAROL_PRODUCT], "accessDate": "2024-03-01", "dueDate": "2024-03-02"}


def test_edit_defaults_the_access_date_to_now(client: httpx.Client) -> None:
    freeze(client)
    response = client.post(f"/ispring/enrollment/{E_CAROL_PRODUCT}", json={
        "dueDateType": "due_date", "dueDate": "2025-03-01", "lockAfterDueDate": True},
        headers=OWNER)
    assert response.status_code == 200
    assert get_enrollment(client, E_CAROL_PRODUCT) == {
        **ENROLLMENTS[E_CAROL_PRODUCT], "accessDate": "2025-01-10", "dueDate": "2025-03-01",
        "expirationDate": "2025-03-01", "shouldLockAfterDueDate": True}


@pytest.mark.parametrize(("body", "message"), [
    ({"dueDateType": "due_date", "dueDate": "2025-03-01"},
     "Wrong parameters: lockAfterDueDate is required when dueDateType is due_date"),
    ({"accessDate": "2025-01-01"}, "Wrong parameters: dueDateType is required"),
    ({"dueDateType": "unlimited", "dueDate": "tomorrow"},
     "Wrong parameters: dueDate is not a valid date"),
])
def test_edit_bad_requests(client: httpx.Client, body: dict[str, object], message: str) -> None:
    assert_error(client.post(f"/ispring/enrollment/{E_CAROL_PRODUCT}", json=body,
                             headers=OWNER), 400, message)
    assert get_enrollment(client, E_CAROL_PRODUCT) == ENROLLMENTS[E_CAROL_PRODUCT]


def test_edit_unknown_enrollment(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/enrollment/{UNKNOWN}", content=EDIT_EXAMPLE,
                             headers={**OWNER, **XML_BODY}), 404, "Unknown Enrollment")


def test_edit_checks_rights_before_the_body(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/enrollment/{E_ALICE_CAR}", content=b"<broken",
                             headers={**LEARNER, **XML_BODY}), 403, "Permission denied")
    assert_error(client.post(f"/ispring/enrollment/{E_ALICE_CAR}", content=b"<broken",
                             headers={**XML_BODY}), 401, "Authorization failed")


def test_reenroll_resets_progress_and_keeps_the_id(client: httpx.Client) -> None:
    response = client.post(f"/ispring/enrollment/{E_ALICE_CAR}/reenroll", json={
        "accessDate": "2025-01-05", "dueDateType": "due_date", "dueDate": "2025-02-05",
        "lockAfterDueDate": "false"}, headers=OWNER)
    assert response.status_code == 200
    assert response.content == b""
    assert get_enrollment(client, E_ALICE_CAR) == {
        "enrollmentId": E_ALICE_CAR, "courseId": C_CAR, "learnerId": U_ALICE,
        "accessDate": "2025-01-05", "dueDate": "2025-02-05", "shouldLockAfterDueDate": False,
        "enrollmentTypeGroup": 0}
    results = client.get(f"/ispring/learners/results?enrollmentIds[]={E_ALICE_CAR}",
                         headers={**OWNER, **JSON}).json()["results"]
    assert [(r["completionStatus"], r["progress"], r["timeSpent"]) for r in results] == [
        ("not_started", 0, 0)]


def test_reenroll_errors(client: httpx.Client) -> None:
    assert_error(client.post(f"/ispring/enrollment/{UNKNOWN}/reenroll", json={
        "dueDateType": "unlimited"}, headers=OWNER), 404, "Unknown Enrollment")
    assert_error(client.post(f"/ispring/enrollment/{E_ALICE_CAR}/reenroll", json={},
                             headers=OWNER), 400, "Wrong parameters: dueDateType is required")
    assert_error(client.post(f"/ispring/enrollment/{E_CAROL_PRODUCT}/reenroll", json={
        "dueDateType": "unlimited"}, headers=DEPT_ADMIN), 403, "Permission denied")


def test_delete_enrollments(client: httpx.Client) -> None:
    body = f"<DeleteEnrollments><enrollmentIds><id>{E_BOB_CAR}</id><id>{E_DAVE_CAR}</id>" \
           "</enrollmentIds></DeleteEnrollments>"
    response = client.post("/ispring/enrollment/delete", content=body,
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 204
    assert response.content == b""
    assert list_ids(client) == [i for i in ALL_ENROLLMENTS if i not in (E_BOB_CAR, E_DAVE_CAR)]


def test_delete_with_an_unknown_id_deletes_nothing(client: httpx.Client) -> None:
    response = client.post("/ispring/enrollment/delete", json={
        "enrollmentIds": [E_BOB_CAR, UNKNOWN]}, headers=OWNER)
    assert_error(response, 400, f"Unknown Enrollment: {UNKNOWN}")
    assert list_ids(client) == ALL_ENROLLMENTS


def test_delete_errors(client: httpx.Client) -> None:
    assert_error(client.post("/ispring/enrollment/delete", json={"enrollmentIds": []},
                             headers=OWNER), 400,
                 "Wrong parameters: enrollmentIds must not be empty")
    assert_error(client.post("/ispring/enrollment/delete", json={
        "enrollmentIds": [E_CAROL_PRODUCT]}, headers=DEPT_ADMIN), 403, "Permission denied")
    assert list_ids(client) == ALL_ENROLLMENTS


def test_pagination_walk_visits_every_item_once_while_rows_are_added(
        client: httpx.Client) -> None:
    created = client.post("/ispring/enrollment", json={
        "courseIds": [C_SECURITY, C_CONDUCT, C_TRACK], "learnerIds": [U_CAROL, U_LEARNER]},
        headers={**OWNER, **JSON}).json()
    before = set(list_ids(client))
    assert len(before) == len(ALL_ENROLLMENTS) + len(created)
    additions = [(c, u) for c in (C_CAR, C_PRODUCT) for u in (U_LEARNER, U_ALICE, U_BOB)]
    seen: list[str] = []
    token = ""
    while True:
        page = client.get(f"/ispring/enrollments?pageSize=2&pageToken={token}",
                          headers={**OWNER, **JSON}).json()
        seen += [e["enrollmentId"] for e in page["enrollments"]]
        if additions:
            # Rows added mid-walk never make it repeat or skip an item that existed before.
            course, learner = additions.pop()
            assert client.post("/ispring/enrollment", json={
                "courseIds": [course], "learnerIds": [learner]}, headers=OWNER).is_success
        if "nextPageToken" not in page:
            break
        token = page["nextPageToken"]
    assert len(seen) == len(set(seen))
    assert before <= set(seen)

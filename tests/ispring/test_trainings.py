"""Trainings: the training, its sessions and days, participants and attendance."""

from __future__ import annotations

import httpx

from tests.ispring.support import (
    DEPT_ADMIN,
    JSON,
    OWNER,
    U_ALICE,
    U_AUTHOR,
    U_BOB,
    U_CAROL,
    UNKNOWN,
    XML_BODY,
    assert_error,
    assert_json_error,
    get_json,
    xml,
)

TRAINING = "f7a10001-4e4a-11e9-9ddf-e6163e60333c"
MARCH = "f7c10001-4e4a-11e9-9ddf-e6163e60333c"
APRIL = "f7c10002-4e4a-11e9-9ddf-e6163e60333c"
DAY_1 = "f7d10001-4e4a-11e9-9ddf-e6163e60333c"
DAY_2 = "f7d10002-4e4a-11e9-9ddf-e6163e60333c"
MARCH_SESSION = {"id": MARCH, "title": "March demo", "startTime": "2024-03-05T15:00:00+00:00",
                 "duration": 5400, "instructor": "Paul Publisher", "dayIds": [DAY_1, DAY_2]}
APRIL_SESSION = {"id": APRIL, "title": "April demo", "startTime": "2024-04-02T15:00:00+00:00",
                 "duration": 3600, "dayIds": []}
FIRST_DAY = {"dayId": DAY_1, "sessionId": MARCH, "trainingId": TRAINING,
             "startTime": "2024-03-05T15:00:00+00:00", "duration": 3600,
             "url": "https://meet.example.com/demo-1"}



def test_get_training(client: httpx.Client) -> None:
    expected = {"title": "Live Product Demo", "organizer": U_AUTHOR, "sessions": [MARCH, APRIL],
                "type": "Webinar"}
    assert get_json(client, f"/training/{TRAINING}") == expected
    response = client.get(f"/ispring/training/{TRAINING}", headers=OWNER)
    assert xml(response) == {"response": {"training": {**expected,
                                                       "sessions": {"id": [MARCH, APRIL]}}}}
    assert_error(client.get(f"/ispring/training/{UNKNOWN}", headers=OWNER), 404,
                 "Unknown training")


def test_training_sessions(client: httpx.Client) -> None:
    assert get_json(client, f"/training/{TRAINING}/sessions") == [MARCH_SESSION, APRIL_SESSION]
    response = client.get(f"/ispring/training/{TRAINING}/sessions", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><trainingSession>'
        f"<id>{MARCH}</id><title>March demo</title>"
        "<startTime>2024-03-05T15:00:00+00:00</startTime><duration>5400</duration>"
        f"<instructor>Paul Publisher</instructor><dayIds><id>{DAY_1}</id><id>{DAY_2}</id>"
        f"</dayIds></trainingSession><trainingSession><id>{APRIL}</id><title>April demo</title>"
        "<startTime>2024-04-02T15:00:00+00:00</startTime><duration>3600</duration><dayIds/>"
        "</trainingSession></response>")
    assert_json_error(client.get(f"/ispring/training/{UNKNOWN}/sessions",
                                 headers={**OWNER, **JSON}), 404, "Session not found")


def test_get_training_session(client: httpx.Client) -> None:
    assert get_json(client, f"/training/session/{MARCH}") == MARCH_SESSION
    response = client.get(f"/ispring/training/session/{UNKNOWN}", headers={**OWNER, **JSON})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Training session not found"


def test_get_day(client: httpx.Client) -> None:
    assert get_json(client, f"/training/day/{DAY_1}") == FIRST_DAY
    response = client.get(f"/ispring/training/day/{DAY_2}", headers=OWNER)
    assert xml(response) == {"response": {"Day": {
        "dayId": DAY_2, "sessionId": MARCH, "trainingId": TRAINING,
        "startTime": "2024-03-06T15:00:00+00:00", "duration": "1800", "location": "Room 4"}}}
    missing = client.get(f"/ispring/training/day/{UNKNOWN}", headers=OWNER)
    assert missing.status_code == 404
    assert missing.text == "Day not found"


def test_update_day_url(client: httpx.Client) -> None:
    response = client.post(f"/ispring/training/day/{DAY_2}",
                           content="<request><url>https://meet.example.com/demo-2</url></request>",
                           headers={**OWNER, **XML_BODY})
    assert response.status_code == 200
    assert response.content == b""
    assert get_json(client, f"/training/day/{DAY_2}")["url"] == "https://meet.example.com/demo-2"
    assert_error(client.post(f"/ispring/training/day/{UNKNOWN}", json={"url": "x"},
                             headers=OWNER), 404, "Day not found")
    # The document's UpdateDay marks no field required: a body without `url` changes nothing.
    unchanged = client.post(f"/ispring/training/day/{DAY_2}", json={}, headers=OWNER)
    assert (unchanged.status_code, unchanged.content) == (200, b"")
    assert get_json(client, f"/training/day/{DAY_2}")["url"] == "https://meet.example.com/demo-2"
    assert_error(client.post(f"/ispring/training/day/{DAY_2}", json={"url": None},
                             headers=OWNER), 400, "Wrong parameters: url must not be null")


def test_session_participants(client: httpx.Client) -> None:
    first = get_json(client, f"/training/session/participants/{MARCH}?pageSize=1")
    token = first["nextPageToken"]
    assert first == {"participants": [U_ALICE], "nextPageToken": token}
    second = client.get(f"/ispring/training/session/participants/{MARCH}?pageSize=1"
                        f"&pageToken={token}", headers=OWNER)
    assert xml(second) == {"response": {"participants": {"id": U_CAROL}}}
    # The Sales department administrator sees Alice only.
    assert get_json(client, f"/training/session/participants/{MARCH}", DEPT_ADMIN) == {
        "participants": [U_ALICE]}
    assert get_json(client, f"/training/session/participants/{APRIL}") == {"participants": []}
    assert_error(client.get(f"/ispring/training/session/participants/{UNKNOWN}", headers=OWNER),
                 404, "Session not found")


def test_update_attendance(client: httpx.Client) -> None:
    response = client.post(f"/ispring/training/day/{DAY_1}/participants/attendance/update",
                           json={"participantsAttendance": [
                               {"participantId": U_CAROL, "isAttended": True, "duration": 3500},
                               {"participantId": U_ALICE, "isAttended": "false"}]},
                           headers=OWNER)
    assert response.status_code == 200
    assert response.content == b""
    for body, status, message in (
            ({"participantsAttendance": [{"participantId": U_BOB, "isAttended": True}]}, 400,
             f"Wrong parameters: {U_BOB} is not a participant of session {MARCH}"),
            ({"participantsAttendance": []}, 400,
             "Wrong parameters: participantsAttendance has a wrong value"),
            ({"participantsAttendance": [{"participantId": U_CAROL, "isAttended": "maybe"}]},
             400, "Wrong parameters: participantsAttendance.0.isAttended must be true or false")):
        assert_error(client.post(f"/ispring/training/day/{DAY_1}/participants/attendance/update",
                                 json=body, headers=OWNER), status, message)
    assert_error(client.post(f"/ispring/training/day/{DAY_1}/participants/attendance/update",
                             json={"participantsAttendance": [
                                 {"participantId": U_CAROL, "isAttended": True}]},
                             headers=DEPT_ADMIN), 403, "Permission denied")
    assert_error(client.post(f"/ispring/training/day/{UNKNOWN}/participants/attendance/update",
                             json={"participantsAttendance": [
                                 {"participantId": U_CAROL, "isAttended": True}]},
                             headers=OWNER), 404, "Day not found")


def test_a_training_cannot_be_assigned_as_a_course(client: httpx.Client) -> None:
    assert_error(client.post("/ispring/enrollment", json={
        "courseIds": [TRAINING], "learnerIds": [U_CAROL]}, headers=OWNER), 400,
        "Wrong parameters: a training cannot be assigned with POST /enrollment (learners join "
        "its sessions)")

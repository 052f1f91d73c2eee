"""iSpring quizzes and assignments: quiz lists, ungraded attempts, the answer breakdown."""

from __future__ import annotations

from typing import Any

import httpx

from tests.ispring.support import (
    AUTHOR,
    C_CAR,
    C_CAR_QUIZ,
    C_PHISHING,
    C_PITCH,
    C_PRODUCT,
    C_PRODUCT_QUIZ,
    C_SECURITY,
    CAROL_ATTEMPT,
    DEPT_ADMIN,
    E_ALICE_CAR,
    E_ALICE_SECURITY,
    JSON,
    OWNER,
    U_ALICE,
    U_BOB,
    UNKNOWN,
    as_xml,
    assert_error,
    get_json,
    xml,
)

Q_CAR = "f1a00001-4e4a-11e9-9ddf-e6163e60333c"


Q_PRODUCT = "f1a00002-4e4a-11e9-9ddf-e6163e60333c"


Q_PHISHING = "f1a00003-4e4a-11e9-9ddf-e6163e60333c"


QUIZZES = {
    Q_CAR: {"quizId": Q_CAR, "quizTitle": "Car Sale Quiz", "contentItemId": C_CAR_QUIZ,
            "parentCourseIds": [C_CAR]},
    Q_PRODUCT: {"quizId": Q_PRODUCT, "quizTitle": "Product Quiz",
                "contentItemId": C_PRODUCT_QUIZ, "parentCourseIds": [C_PRODUCT]},
    Q_PHISHING: {"quizId": Q_PHISHING, "quizTitle": "Phishing Quiz",
                 "contentItemId": C_PHISHING, "parentCourseIds": [C_SECURITY]},
}


def test_list_quizzes(client: httpx.Client) -> None:
    first = get_json(client, "/quizzes?pageSize=2")
    token = first["nextPageToken"]
    assert first == {"results": [QUIZZES[Q_CAR], QUIZZES[Q_PRODUCT]], "nextPageToken": token}
    response = client.get(f"/ispring/quizzes?pageSize=2&pageToken={token}", headers=OWNER)
    assert xml(response) == {"response": {"results": {"result": {
        **QUIZZES[Q_PHISHING], "parentCourseIds": {"id": C_SECURITY}}}}}


def test_list_quizzes_filters(client: httpx.Client) -> None:
    for query, expected in ((f"?parentCourseIds[]={C_SECURITY}", [Q_PHISHING]),
                            (f"?quizIds={Q_PRODUCT},{Q_CAR}", [Q_CAR, Q_PRODUCT]),
                            (f"?contentItemIds[]={C_PHISHING}", [Q_PHISHING]),
                            (f"?contentItemIds[]={C_CAR}", [])):
        assert get_json(client, f"/quizzes{query}") == {
            "results": [QUIZZES[q] for q in expected]}, query
    assert get_json(client, "/quizzes", AUTHOR) == {"results": [QUIZZES[Q_PRODUCT]]}


U_ADMIN = "2c6a1a10-5cff-11e9-9e6a-0a580af40692"


PITCH = {"assignmentId": C_PITCH, "title": "Product Pitch", "instructorId": U_ADMIN}


def test_list_assignments(client: httpx.Client) -> None:
    for query in ("", "?ungraded=1", "?ungraded=0&pageSize=1"):
        response = client.get(f"/ispring/assignments{query}", headers={**OWNER, **JSON})
        assert response.json() == {"assignments": [PITCH]}, query
    response = client.get("/ispring/assignments", headers=OWNER)
    assert xml(response) == {"response": {"assignments": {"assignment": PITCH}}}
    assert_error(client.get("/ispring/assignments?ungraded=2", headers=OWNER), 400,
                 "Wrong parameters: ungraded must be 0 or 1")


def test_ungraded_attempts(client: httpx.Client) -> None:
    response = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded",
                          headers={**OWNER, **JSON})
    assert response.json() == [CAROL_ATTEMPT]
    response = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded?userIds[]={U_BOB}",
                          headers={**OWNER, **JSON})
    assert response.json() == []
    as_xml_body = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded", headers=OWNER)
    assert xml(as_xml_body) == {"response": {"attempt": {
        **CAROL_ATTEMPT, "attachments": {"attachment": {
            "fileName": "pitch.mp4", "fileSize": "7340032",
            "url": "https://demo.ispringlearn.com/files/a7700001/pitch.mp4"}}}}}
    # Department administrators of Sales do not see Carol (Marketing).
    scoped = client.get(f"/ispring/assignment/{C_PITCH}/attempts/ungraded",
                        headers={**DEPT_ADMIN, **JSON})
    assert scoped.json() == []
    for assignment in (UNKNOWN, C_CAR):
        assert_error(client.get(f"/ispring/assignment/{assignment}/attempts/ungraded",
                                headers=OWNER), 404, "Unknown content item")


Q_CAR = "f1a00001-4e4a-11e9-9ddf-e6163e60333c"


Q_PHISHING = "f1a00003-4e4a-11e9-9ddf-e6163e60333c"


def answer(enrollment: str, number: int, title: str, kind: str, score: int, text: str,
           correct: bool, got: int, **extra: Any) -> dict[str, Any]:
    car = enrollment == E_ALICE_CAR
    row: dict[str, Any] = {
        "userId": U_ALICE, "enrollmentId": enrollment, "quizVersion": "1" if car else "2",
        "attemptDate": "2024-01-17T11:20:00+00:00" if car else "2024-02-12T14:50:00+00:00",
        "isAttemptPassed": car, "attemptScore": 90 if car else 40,
        "passingScore": 80 if car else 70, "questionNumber": number, "questionTitle": title,
        "questionType": kind, "questionScore": score}
    row.update({k: v for k, v in extra.items() if k in ("questionGroup", "statementTitle")})
    row["answerText"] = text
    row.update({k: v for k, v in extra.items() if k == "customAnswerText"})
    row.update({"isAnswerCorrect": correct, "answerScore": got})
    return row


CAR_ANSWERS = [
    answer(E_ALICE_CAR, 1, "What do you ask first?", "MultipleChoice", 50,
           "What brings you in today?", True, 50),
    answer(E_ALICE_CAR, 2, "Name the warranty period", "ShortAnswer", 50, "3 years", True, 40,
           customAnswerText="three years"),
]


def test_answer_breakdown(client: httpx.Client) -> None:
    first = client.get(f"/ispring/report/answer-breakdown?quizId={Q_CAR}&pageSize=1",
                       headers={**OWNER, **JSON}).json()
    token = first["nextPageToken"]
    assert first == {"results": CAR_ANSWERS[:1], "nextPageToken": token}
    second = client.get(f"/ispring/report/answer-breakdown?quizId={Q_CAR}&pageSize=1"
                        f"&pageToken={token}", headers=OWNER)
    assert xml(second) == {"response": {"results": {"result": as_xml(CAR_ANSWERS[1])}}}
    phishing = client.get(f"/ispring/report/answer-breakdown?quizId={Q_PHISHING}"
                          f"&parentCourseId={C_SECURITY}", headers={**OWNER, **JSON})
    assert phishing.json() == {"results": [answer(
        E_ALICE_SECURITY, 1, "Spot the phishing sign", "Matching", 100, "Looks official", False,
        40, questionGroup="Basics", statementTitle="Sender address")]}


def test_answer_breakdown_filters(client: httpx.Client) -> None:
    base = f"/ispring/report/answer-breakdown?quizId={Q_CAR}"
    for query, expected in (
            (f"&userIds[]={U_BOB}", []),
            (f"&enrollmentIds[]={E_ALICE_CAR}", CAR_ANSWERS),
            ("&departmentIds[]=d479bc48-5b70-11e9-b12b-22e9fbac4a59", CAR_ANSWERS),
            ("&groupIds[]=c1496214-acab-11e9-8db0-120a62f268a9", []),
            ("&groupIds[]=e1496214-acab-11e9-8db0-120a62f268a9", CAR_ANSWERS),
            ("&attemptDate[startDate]=2024-01-18", []),
            ("&attemptDate[endDate]=2024-01-17", CAR_ANSWERS)):
        response = client.get(base + query, headers={**OWNER, **JSON})
        assert response.json() == {"results": expected}, query
    assert_error(client.get("/ispring/report/answer-breakdown", headers=OWNER), 400,
                 "Wrong parameters: quizId is required")
    assert_error(client.get(f"/ispring/report/answer-breakdown?quizId={UNKNOWN}",
                            headers=OWNER), 400, f"Unknown quiz: {UNKNOWN}")

"""Content: the library lists, one item, final statuses and course modules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ispring.support import (
    AUTHOR,
    C_CAR,
    C_CAR_QUIZ,
    C_CATALOG,
    C_CONDUCT,
    C_PHISHING,
    C_PITCH,
    C_PRODUCT,
    C_PRODUCT_QUIZ,
    C_SECURITY,
    C_TRACK,
    C_VIDEO,
    CF_CATEGORY,
    CF_LEVEL,
    DEPT_ADMIN,
    HR,
    JSON,
    M_CAR_QUIZ,
    M_CAR_VIDEO,
    M_CATALOG,
    M_PHISHING,
    M_PITCH,
    M_PRODUCT_QUIZ,
    M_TRAINING,
    OWNER,
    U_ALICE,
    U_AUTHOR,
    U_BOB,
    U_DAVE,
    U_OWNER,
    UNKNOWN,
    XML_BODY,
    as_xml,
    assert_error,
    assert_json_error,
    freeze,
    xml,
)

VIEW = "https://demo.ispringlearn.com/view/"


def item(content_id: str, title: str, kind: str, slug: str, *, author: str = U_OWNER,
         subtitle: str = "", description: str = "",
         added: str = "2024-01-08T10:00:00+00:00") -> dict[str, Any]:
    return {"contentItemId": content_id, "title": title, "subtitle": subtitle,
            "description": description, "userId": author, "addedDate": added,
            "viewUrl": VIEW + slug, "type": kind, "contentItemType": kind}


CONTENT = {
    C_CAR: {**item(C_CAR, "Sample Simulation - Car Sale Dialog", "Course",
                   "200009-1gryB-w4K2M-gB5X5", subtitle="Dialog simulation",
                   description="Practise a car sale conversation",
                   added="2019-03-26T06:34:57+00:00"),
            "courseFields": [{"fieldId": CF_CATEGORY, "fieldValue": "Sales"},
                             {"fieldId": CF_LEVEL, "fieldValue": "Beginner"}]},
    C_PRODUCT: item(C_PRODUCT, "Product Knowledge 101", "Course", "200010-1gryB-w4K2M-gB5X8",
                    author=U_AUTHOR, description="Know what you sell"),
    C_SECURITY: {**item(C_SECURITY, "Security Awareness", "Course", "200011-1gryB-w4K2M-gB5X9"),
                 "courseFields": [{"fieldId": CF_CATEGORY, "fieldValue": "Compliance"}]},
    C_VIDEO: item(C_VIDEO, "Welcome to Car Sales", "Video", "200001-1gryB-w4K2M-gB5X1",
                  description="A short welcome video"),
    C_CAR_QUIZ: item(C_CAR_QUIZ, "Car Sale Quiz", "Quiz", "200002-1gryB-w4K2M-gB5X2"),
    C_CATALOG: item(C_CATALOG, "Product Catalog", "PDFDocument", "200003-1gryB-w4K2M-gB5X3",
                    author=U_AUTHOR),
    C_PRODUCT_QUIZ: item(C_PRODUCT_QUIZ, "Product Quiz", "Quiz", "200004-1gryB-w4K2M-gB5X4",
                         author=U_AUTHOR),
    C_PHISHING: item(C_PHISHING, "Phishing Quiz", "Quiz", "200005-1gryB-w4K2M-gB5X6"),
    C_CONDUCT: item(C_CONDUCT, "Code of Conduct", "PDFDocument", "200006-1gryB-w4K2M-gB5X7",
                    subtitle="Company policy"),
    C_PITCH: item(C_PITCH, "Product Pitch", "Assignment", "200007-1gryB-w4K2M-gB5X0",
                  author=U_AUTHOR, description="Record a two-minute pitch"),
    C_TRACK: item(C_TRACK, "Sales Track", "LearningTrack", "200012-1gryB-w4K2M-gB5Y1"),
}
ORDER = [C_CAR, C_PRODUCT, C_SECURITY, C_VIDEO, C_CAR_QUIZ, C_CATALOG, C_PRODUCT_QUIZ,
         C_PHISHING, C_CONDUCT, C_PITCH, C_TRACK]


def content_xml(content: dict[str, Any]) -> Any:
    fields = content.get("courseFields")
    if not fields:
        return as_xml(content)
    return {**as_xml(content), "courseFields": {"courseField": fields[0] if len(fields) == 1
                                                else fields}}


def get_json(client: httpx.Client, path: str, headers: dict[str, str] = OWNER) -> Any:
    response = client.get(f"/ispring{path}", headers={**headers, **JSON})
    assert response.status_code == 200, response.text
    return response.json()


def test_get_content(client: httpx.Client) -> None:
    assert get_json(client, "/content") == [CONTENT[c] for c in ORDER]
    response = client.get("/ispring/content", headers={**OWNER, "X-Target-Locale": "de-DE"})
    assert xml(response) == {"response": {"contentItem": [content_xml(CONTENT[c])
                                                          for c in ORDER]}}


def test_get_content_by_type(client: httpx.Client) -> None:
    for query, expected in (
            ("?contentTypes[]=Course", [C_CAR, C_PRODUCT, C_SECURITY]),
            ("?contentTypes=Quiz,LearningTrack", [C_CAR_QUIZ, C_PRODUCT_QUIZ, C_PHISHING,
                                                  C_TRACK]),
            ("?contentTypes[]=Audio", [])):
        assert get_json(client, f"/content{query}") == [CONTENT[c] for c in expected], query


def test_publishers_see_their_own_content(client: httpx.Client) -> None:
    assert get_json(client, "/content", AUTHOR) == [CONTENT[c] for c in
                                                    (C_PRODUCT, C_CATALOG, C_PRODUCT_QUIZ,
                                                     C_PITCH)]
    assert_error(client.get(f"/ispring/content/{C_CAR}", headers=AUTHOR), 403,
                 "Permission denied")


def test_list_content_pages(client: httpx.Client) -> None:
    first = get_json(client, "/contents?pageSize=6")
    token = first["nextPageToken"]
    assert first == {"contentItems": [CONTENT[c] for c in ORDER[:6]], "nextPageToken": token}
    response = client.get(f"/ispring/contents?pageSize=6&pageToken={token}", headers=OWNER)
    assert xml(response) == {"response": {"contentItems": {"contentItem": [
        content_xml(CONTENT[c]) for c in ORDER[6:]]}}}


def test_list_content_by_ids(client: httpx.Client) -> None:
    page = get_json(client, f"/contents?contentItemIds[]={C_TRACK}&contentItemIds[]={C_CAR}")
    assert page == {"contentItems": [CONTENT[C_CAR], CONTENT[C_TRACK]]}


def test_list_content_by_post(client: httpx.Client) -> None:
    body = (f"<request><contentItemIds>{C_VIDEO}</contentItemIds>"
            f"<contentItemIds>{C_SECURITY}</contentItemIds>"
            "<contentTypes>Course</contentTypes></request>")
    response = client.post("/ispring/contents", content=body,
                           headers={**OWNER, **XML_BODY, **JSON})
    assert response.status_code == 200
    assert response.json() == {"contentItems": [CONTENT[C_SECURITY]]}
    assert_error(client.post("/ispring/contents", json={"ids": [C_CAR]}, headers=OWNER), 400,
                 "Wrong parameters: unknown parameter ids")


def test_get_content_item(client: httpx.Client) -> None:
    response = client.get(f"/ispring/content/{C_CONDUCT}", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><contentItem>'
        f"<contentItemId>{C_CONDUCT}</contentItemId><title>Code of Conduct</title>"
        "<subtitle>Company policy</subtitle><description/>"
        f"<userId>{U_OWNER}</userId><addedDate>2024-01-08T10:00:00+00:00</addedDate>"
        f"<viewUrl>{VIEW}200006-1gryB-w4K2M-gB5X7</viewUrl><type>PDFDocument</type>"
        "<contentItemType>PDFDocument</contentItemType></contentItem></response>")
    assert get_json(client, f"/content/{C_CAR}") == CONTENT[C_CAR]


def test_get_unknown_content_item(client: httpx.Client) -> None:
    assert_error(client.get(f"/ispring/content/{UNKNOWN}", headers=OWNER), 404,
                 "Unknown content item")
    assert_json_error(client.get("/ispring/content/42", headers={**OWNER, **JSON}), 404,
                      "Unknown content item")


def test_view_urls_follow_the_account(client: httpx.Client) -> None:
    tenant = client.post("/_emulator/tenants", json={"vendor": "ispring"}).json()
    headers = {"X-Auth-Account-Url": tenant["credentials"]["accountUrl"],
               "X-Auth-Email": "owner@demo.example", "X-Auth-Password": "demo-owner-pass"}
    got = get_json(client, f"/content/{C_TRACK}", headers)
    assert got == {**CONTENT[C_TRACK],
                   "viewUrl": f"https://{tenant['id']}/view/200012-1gryB-w4K2M-gB5Y1"}


# -- final statuses -------------------------------------------------------------------------------

def test_final_statuses(client: httpx.Client) -> None:
    response = client.get(f"/ispring/content/{C_CAR}/final_statuses", headers=OWNER)
    assert response.status_code == 200
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<statuses>'
        f"<status><userId>{U_ALICE}</userId><status>Passed</status><progress>100</progress>"
        "<completionDate>2024-01-17T11:30:00+00:00</completionDate>"
        "<lastViewDate>2024-01-17T11:30:00+00:00</lastViewDate></status>"
        f"<status><userId>{U_BOB}</userId><status>In progress</status><progress>50</progress>"
        "<lastViewDate>2024-01-18T08:00:00+00:00</lastViewDate></status>"
        f"<status><userId>{U_DAVE}</userId><status>Not started</status><progress>0</progress>"
        "</status></statuses>")
    assert get_json(client, f"/content/{C_CAR}/final_statuses", DEPT_ADMIN) == [
        {"userId": U_ALICE, "status": "Passed", "progress": 100,
         "completionDate": "2024-01-17T11:30:00+00:00",
         "lastViewDate": "2024-01-17T11:30:00+00:00"},
        {"userId": U_BOB, "status": "In progress", "progress": 50,
         "lastViewDate": "2024-01-18T08:00:00+00:00"}]


def test_final_statuses_of_a_material_and_an_empty_item(client: httpx.Client) -> None:
    assert get_json(client, f"/content/{C_CONDUCT}/final_statuses") == [
        {"userId": U_BOB, "status": "Complete", "progress": 100,
         "completionDate": "2024-01-12T09:45:00+00:00",
         "lastViewDate": "2024-01-12T09:45:00+00:00"}]
    empty = client.get(f"/ispring/content/{C_TRACK}/final_statuses", headers=OWNER)
    assert empty.text == '<?xml version="1.0" encoding="UTF-8"?>\n<statuses/>'


def test_final_statuses_of_an_unknown_item_is_plain_text(client: httpx.Client) -> None:
    for headers in (OWNER, {**OWNER, **JSON}):
        response = client.get(f"/ispring/content/{UNKNOWN}/final_statuses", headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Unknown content item"


# -- modules --------------------------------------------------------------------------------------

def module(module_id: str, item_id: str, course: str, title: str, author: str, added: str,
           slug: str, description: str = "") -> dict[str, Any]:
    return {"moduleId": module_id, "contentItemId": item_id, "courseId": course, "title": title,
            "description": description, "authorId": author, "addedDate": added,
            "viewUrl": VIEW + slug}


MODULES = [
    module(M_CAR_VIDEO, C_VIDEO, C_CAR, "Welcome to Car Sales", U_OWNER,
           "2019-03-26T06:34:57+00:00", "200001-1gryB-w4K2M-gB5X1", "A short welcome video"),
    module(M_CAR_QUIZ, C_CAR_QUIZ, C_CAR, "Car Sale Quiz", U_OWNER, "2019-03-26T06:34:57+00:00",
           "200002-1gryB-w4K2M-gB5X2"),
    module(M_CATALOG, C_CATALOG, C_PRODUCT, "Product Catalog", U_AUTHOR,
           "2024-01-08T10:00:00+00:00", "200003-1gryB-w4K2M-gB5X3"),
    module(M_PRODUCT_QUIZ, C_PRODUCT_QUIZ, C_PRODUCT, "Product Quiz", U_AUTHOR,
           "2024-01-08T10:00:00+00:00", "200004-1gryB-w4K2M-gB5X4"),
    module(M_PHISHING, C_PHISHING, C_SECURITY, "Phishing Quiz", U_OWNER,
           "2024-01-08T10:00:00+00:00", "200005-1gryB-w4K2M-gB5X6"),
    module(M_PITCH, C_PITCH, C_PRODUCT, "Product Pitch", U_AUTHOR, "2024-01-08T10:00:00+00:00",
           "200007-1gryB-w4K2M-gB5X0", "Record a two-minute pitch"),
]


def test_courses_modules_without_course_ids(client: httpx.Client) -> None:
    # Trainings are not listed here (the operation predates them).
    assert get_json(client, "/courses/modules") == {"modules": MODULES}


def test_courses_modules_pages_and_filters(client: httpx.Client) -> None:
    first = get_json(client, f"/courses/modules?courseIds[]={C_CAR}&courseIds[]={C_PRODUCT}"
                             "&pageSize=3")
    token = first["nextPageToken"]
    assert first == {"modules": MODULES[:3], "nextPageToken": token}
    response = client.get(f"/ispring/courses/modules?courseIds[]={C_CAR}&courseIds[]="
                          f"{C_PRODUCT}&pageSize=3&pageToken={token}", headers=OWNER)
    assert xml(response) == {"response": {"modules": {"module": [as_xml(MODULES[3]),
                                                                 as_xml(MODULES[5])]}}}


def test_course_modules(client: httpx.Client) -> None:
    assert get_json(client, f"/course/{C_PRODUCT}/modules") == {"modules": [
        {"moduleId": M_CATALOG, "itemId": C_CATALOG, "courseId": C_PRODUCT,
         "title": "Product Catalog", "description": "", "authorId": U_AUTHOR,
         "addedDate": "2024-01-08T10:00:00+00:00", "type": "material", "sequentialNumber": 1,
         "viewUrl": VIEW + "200003-1gryB-w4K2M-gB5X3"},
        {"moduleId": M_PRODUCT_QUIZ, "itemId": C_PRODUCT_QUIZ, "courseId": C_PRODUCT,
         "title": "Product Quiz", "description": "", "authorId": U_AUTHOR,
         "addedDate": "2024-01-08T10:00:00+00:00", "type": "material", "sequentialNumber": 2,
         "viewUrl": VIEW + "200004-1gryB-w4K2M-gB5X4"},
        {"moduleId": M_TRAINING, "itemId": "f7a10001-4e4a-11e9-9ddf-e6163e60333c",
         "courseId": C_PRODUCT, "title": "Live Product Demo", "description": "",
         "addedDate": "2024-01-08T10:00:00+00:00", "type": "training", "sequentialNumber": 3,
         "trainingType": {"trainingTypeId": "f7b10001-4e4a-11e9-9ddf-e6163e60333c",
                          "trainingTypeTitle": "Webinar"}},
        {"moduleId": M_PITCH, "itemId": C_PITCH, "courseId": C_PRODUCT,
         "title": "Product Pitch", "description": "Record a two-minute pitch",
         "authorId": U_AUTHOR, "addedDate": "2024-01-08T10:00:00+00:00", "type": "material",
         "sequentialNumber": 4, "viewUrl": VIEW + "200007-1gryB-w4K2M-gB5X0"},
    ]}
    response = client.get(f"/ispring/course/{C_SECURITY}/modules", headers=HR)
    assert xml(response) == {"response": {"modules": {"module": {
        "moduleId": M_PHISHING, "itemId": C_PHISHING, "courseId": C_SECURITY,
        "title": "Phishing Quiz", "description": None, "authorId": U_OWNER,
        "addedDate": "2024-01-08T10:00:00+00:00", "type": "material",
        "sequentialNumber": "1", "viewUrl": VIEW + "200005-1gryB-w4K2M-gB5X6"}}}}


def test_course_modules_of_an_unknown_course(client: httpx.Client) -> None:
    for course_id in (UNKNOWN, C_CONDUCT, "x"):
        assert_error(client.get(f"/ispring/course/{course_id}/modules", headers=OWNER), 404,
                     "Unknown content item")


# -- tree, learning tracks, course fields, creation, quizzes --------------------------------------

def tree_item(content_id: str, parent: str | None = None) -> dict[str, Any]:
    c = CONTENT[content_id]
    item = {"contentItemId": content_id, "title": c["title"], "type": c["type"],
            "description": c["description"], "addedDate": c["addedDate"],
            "viewUrl": c["viewUrl"]}
    if parent is not None:
        item["parentId"] = parent
    return {**item, "isShared": False}


def test_courses_tree(client: httpx.Client) -> None:
    assert get_json(client, "/courses_tree") == [
        tree_item(C_CAR), tree_item(C_VIDEO, C_CAR), tree_item(C_CAR_QUIZ, C_CAR),
        tree_item(C_PRODUCT), tree_item(C_CATALOG, C_PRODUCT),
        tree_item(C_PRODUCT_QUIZ, C_PRODUCT), tree_item(C_PITCH, C_PRODUCT), tree_item(C_SECURITY),
        tree_item(C_PHISHING, C_SECURITY), tree_item(C_CONDUCT), tree_item(C_TRACK)]
    response = client.get(f"/ispring/courses_tree?contentItemIds={C_SECURITY}", headers=OWNER)
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><contentItem>'
        f"<contentItemId>{C_SECURITY}</contentItemId><title>Security Awareness</title>"
        "<type>Course</type><description/><addedDate>2024-01-08T10:00:00+00:00</addedDate>"
        f"<viewUrl>{VIEW}200011-1gryB-w4K2M-gB5X9</viewUrl><isShared>0</isShared></contentItem>"
        f"<contentItem><contentItemId>{C_PHISHING}</contentItemId><title>Phishing Quiz</title>"
        "<type>Quiz</type><description/><addedDate>2024-01-08T10:00:00+00:00</addedDate>"
        f"<viewUrl>{VIEW}200005-1gryB-w4K2M-gB5X6</viewUrl><parentId>{C_SECURITY}</parentId>"
        "<isShared>0</isShared></contentItem></response>")


def test_learning_track_courses(client: httpx.Client) -> None:
    expected = [{"learningTrackId": C_TRACK, "courseId": C_CAR},
                {"learningTrackId": C_TRACK, "courseId": C_SECURITY}]
    assert get_json(client, f"/learning_track/courses?learningTrackIds={C_TRACK},{UNKNOWN}"
                    ) == expected
    response = client.get(f"/ispring/learning_track/courses?learningTrackIds[]={C_TRACK}",
                          headers=OWNER)
    assert xml(response) == {"response": {"learningTracksCourse": expected}}
    assert_error(client.get("/ispring/learning_track/courses", headers=OWNER), 400,
                 "Wrong parameters: learningTrackIds is required")


def test_course_fields(client: httpx.Client) -> None:
    expected = [{"fieldId": CF_CATEGORY, "fieldCustomId": "CATEGORY", "fieldLabel": "Category",
                 "fieldType": "TEXT"},
                {"fieldId": CF_LEVEL, "fieldCustomId": "LEVEL", "fieldLabel": "Level",
                 "fieldType": "TEXT"}]
    assert get_json(client, "/course_fields", HR) == {"courseFields": expected}
    response = client.get("/ispring/course_fields", headers=OWNER)
    assert xml(response) == {"response": {"courseFields": {"courseField": expected}}}


def test_create_content(client: httpx.Client) -> None:
    freeze(client)
    response = client.post("/ispring/content/create/Course", json={
        "folder_id": UNKNOWN, "title": "Negotiation Basics"}, headers={**AUTHOR, **JSON})
    assert response.status_code == 201
    new_id = response.json()
    assert get_json(client, f"/content/{new_id}", AUTHOR) == {
        "contentItemId": new_id, "title": "Negotiation Basics", "subtitle": "",
        "description": "", "userId": U_AUTHOR, "addedDate": "2025-01-10T12:00:00+00:00",
        "viewUrl": VIEW + new_id, "type": "Course", "contentItemType": "Course"}
    assert get_json(client, f"/course/{new_id}/modules") == {"modules": []}


@pytest.mark.parametrize(("path", "body", "headers", "status", "message"), [
    ("Movie", {"folder_id": UNKNOWN, "title": "X"}, OWNER, 400,
     "Wrong parameters: unknown content type Movie"),
    ("Course", {"title": "X"}, OWNER, 400, "Wrong parameters: folder_id is required"),
    ("Course", {"folder_id": "root", "title": "X"}, OWNER, 400,
     "Wrong parameters: folder_id is not a valid ID: root"),
    ("Course", {"folder_id": UNKNOWN, "title": "X"}, DEPT_ADMIN, 403, "Permission denied"),
])
def test_create_content_errors(client: httpx.Client, path: str, body: dict[str, Any],
                               headers: dict[str, str], status: int, message: str) -> None:
    assert_error(client.post(f"/ispring/content/create/{path}", json=body, headers=headers),
                 status, message)
    assert len(get_json(client, "/content")) == len(ORDER)


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

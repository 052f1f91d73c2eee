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
    U_AUTHOR,
    U_OWNER,
    UNKNOWN,
    XML_BODY,
    as_xml,
    assert_error,
    assert_json_error,
    freeze,
    get_json,
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

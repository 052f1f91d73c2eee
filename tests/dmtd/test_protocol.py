"""GET /1/protocol, /1/guide and /1/assessment_report/iep (fact sheet §5.11-§5.14, D23)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dmtd.conftest import DEMO, STANDARD_TOKEN, assert_response, call, error
from tests.dmtd.expected import iep

# The 16 milestone domains and their levels: 9 + 12 + 13 domains x 5 milestones = 170.
DOMAINS = {
    "mand": (1, 2, 3), "tact": (1, 2, 3), "listener": (1, 2, 3), "vpmts": (1, 2, 3),
    "play": (1, 2, 3), "social": (1, 2, 3), "imitation": (1, 2), "echoic": (1, 2),
    "vocal": (1,), "lrffc": (2, 3), "intraverbal": (2, 3), "classroom": (2, 3),
    "linguistic": (2, 3), "reading": (3,), "writing": (3,), "math": (3,),
}
SKILLS = {1: 3, 2: 4, 3: 5}
GUIDE_SECTIONS = (0, 3, 4, 3, 2, 5, 3, 4, 3, 2, 4, 3, 2, 3, 2, 2)
VBMAPP = {"X_SystemDomain": "vbmapp"}
NEED_DOMAIN = error("X-SystemDomain must be 'vbmapp'")


def plain(count: int) -> list[dict[str, int]]:
    return [{"questionNum": n} for n in range(1, count + 1)]


def expected_index() -> dict[str, Any]:
    milestones = []
    for group, levels in DOMAINS.items():
        per_level = [lvl for lvl in levels for _ in range(5)]
        milestones.append({
            "group": group, "levels": [f"level{lvl}" for lvl in levels],
            "questions": [{"questionNum": n, "skillCount": SKILLS[lvl], "level": f"level{lvl}"}
                          for n, lvl in enumerate(per_level, start=1)]})
    return {"areas": [
        {"area": "milestones", "groups": milestones},
        {"area": "barriers", "groups": [{"group": "group1", "questions": plain(24)}]},
        {"area": "transitions", "groups": [{"group": "group1", "questions": plain(18)}]},
        {"area": "eesa", "groups": [{"group": f"group{n}", "questions": plain(20)}
                                    for n in range(1, 6)]},
    ]}


def protocol(client: httpx.Client, params: dict[str, str] | None = None,
             **extra: str | int) -> httpx.Response:
    return call(client, "GET", "/1/protocol", params=params, **(VBMAPP | extra))


def test_index_has_the_documented_structure(client: httpx.Client) -> None:
    response = protocol(client)
    assert_response(response, 200, expected_index())
    milestones = response.json()["areas"][0]["groups"]
    levels = [q["level"] for g in milestones for q in g["questions"]]
    assert (len(milestones), len(levels)) == (16, 170)
    assert [levels.count(f"level{n}") for n in (1, 2, 3)] == [45, 60, 65]


def test_index_is_open_to_standard_organizations(client: httpx.Client) -> None:
    assert_response(protocol(client, token=STANDARD_TOKEN), 200, expected_index())


@pytest.mark.parametrize("domain", [None, "efl", ""])
def test_protocol_needs_the_vbmapp_system_domain(client: httpx.Client,
                                                 domain: str | None) -> None:
    extra = {} if domain is None else {"X_SystemDomain": domain}
    response = call(client, "GET", "/1/protocol", **extra)
    assert_response(response, 400, NEED_DOMAIN)


def test_query_milestones_of_one_level(client: httpx.Client) -> None:
    response = protocol(client, {"area": "milestones", "group": "mand", "level": "level2"},
                        X_LearnerId=DEMO.sam)
    assert_response(response, 200, {"area": "milestones", "group": "mand", "questions": [
        {"questionNum": n, "level": 2, "levelTitle": "Level 2 (18-30 months)",
         "example": f"Placeholder example for milestones mand question {n}."}
        for n in range(6, 11)]})


def test_query_one_question(client: httpx.Client) -> None:
    response = protocol(client, {"area": "milestones", "group": "reading", "questionNum": "5"},
                        X_LearnerCode="demo-learner-sam")
    assert_response(response, 200, {"area": "milestones", "group": "reading", "questions": [
        {"questionNum": 5, "level": 3, "levelTitle": "Level 3 (30-48 months)",
         "example": "Placeholder example for milestones reading question 5."}]})


def test_query_eesa_in_the_learners_locale(client: httpx.Client) -> None:
    # Noa's demo purchase is in Spanish.
    response = protocol(client, {"area": "eesa", "group": "group2", "questionNum": "1"},
                        X_LearnerId=DEMO.noa)
    assert_response(response, 200, {
        "area": "eesa", "group": "group2",
        "instructions": "Instrucciones de marcador para el grupo ecoico 2.",
        "title": "Grupo ecoico 2 (marcador)",
        "targets": [f"objetivo de marcador 2.{i}" for i in range(1, 21)],
        "questions": [{"questionNum": 1,
                       "example": "Ejemplo de marcador para eesa group2 pregunta 1."}]})


def test_query_for_a_standard_organizations_learner(client: httpx.Client) -> None:
    response = protocol(client, {"area": "transitions", "group": "group1"},
                        token=STANDARD_TOKEN, X_LearnerId=DEMO.lee)
    assert_response(response, 200, {"area": "transitions", "group": "group1", "questions": [
        {"questionNum": n, "example": f"Exemple fictif pour transitions group1 question {n}."}
        for n in range(1, 19)]})


def test_learner_without_purchase_gets_english(client: httpx.Client) -> None:
    response = protocol(client, {"area": "milestones", "group": "vocal", "questionNum": "1"},
                        X_LearnerId=DEMO.kit)
    assert response.json()["questions"][0]["levelTitle"] == "Level 1 (0-18 months)"


@pytest.mark.parametrize(("params", "extra", "status", "expected"), [
    ({"area": "milestones"}, {"X_LearnerId": DEMO.sam}, 400,
     error("area and group are both required")),
    ({"group": "mand"}, {"X_LearnerId": DEMO.sam}, 400,
     error("area and group are both required")),
    ({"area": "milestones", "group": "mand"}, {}, 400,
     error("X-LearnerId or X-LearnerCode is required")),
    ({"area": "milestones", "group": "mand", "questionNum": "one"}, {"X_LearnerId": DEMO.sam},
     400, error("questionNum must be an integer")),
    ({"area": "skills", "group": "mand"}, {"X_LearnerId": DEMO.sam}, 404,
     error("No protocol group 'mand' in area 'skills'")),
    ({"area": "milestones", "group": "group1"}, {"X_LearnerId": DEMO.sam}, 404,
     error("No protocol group 'group1' in area 'milestones'")),
    ({"area": "milestones", "group": "mand", "level": "level9"}, {"X_LearnerId": DEMO.sam},
     404, error("No level 'level9' in milestones/mand")),
    ({"area": "milestones", "group": "vocal", "level": "level3"}, {"X_LearnerId": DEMO.sam},
     404, error("No level 'level3' in milestones/vocal")),
    ({"area": "barriers", "group": "group1", "level": "level1"}, {"X_LearnerId": DEMO.sam},
     404, error("No level 'level1' in barriers/group1")),
    ({"area": "barriers", "group": "group1", "questionNum": "25"}, {"X_LearnerId": DEMO.sam},
     404, error("No question 25 in barriers/group1")),
    ({"area": "milestones", "group": "mand", "level": "level2", "questionNum": "1"},
     {"X_LearnerId": DEMO.sam}, 404, error("No question 1 in milestones/mand at level2")),
    ({"area": "milestones", "group": "mand"}, {"X_LearnerId": DEMO.lee}, 404,
     error(f"No learner with X-LearnerId {DEMO.lee} could be located")),
])
def test_query_failures(client: httpx.Client, params: dict[str, str], extra: dict[str, Any],
                        status: int, expected: dict[str, Any]) -> None:
    assert_response(protocol(client, params, **extra), status, expected)


# --------------------------------------------------------------------------------- guide

def expected_guide(chapter: str, section: str, text: str) -> dict[str, Any]:
    chapters = [{"title": chapter.format(n=n),
                 "sections": [{"title": section.format(n=n, s=s), "text": text.format(n=n, s=s)}
                              for s in range(1, count + 1)]}
                for n, count in enumerate(GUIDE_SECTIONS, start=1)]
    return {"chapters": chapters, "count": 16}


def test_guide_in_english_by_default(client: httpx.Client) -> None:
    assert_response(call(client, "GET", "/1/guide"), 200, expected_guide(
        "Chapter {n} (placeholder)", "Section {n}.{s} (placeholder)",
        "Placeholder text of section {n}.{s}, written for the emulator."))


def test_guide_follows_accept_language(client: httpx.Client) -> None:
    response = call(client, "GET", "/1/guide", token=STANDARD_TOKEN, X_SystemDomain="vbmapp",
                    Accept_Language="fr-CA")
    assert_response(response, 200, expected_guide(
        "Chapitre {n} (fictif)", "Section {n}.{s} (fictive)",
        "Texte fictif de la section {n}.{s}, écrit pour l'émulateur."))


def test_guide_refuses_another_system_domain(client: httpx.Client) -> None:
    assert_response(call(client, "GET", "/1/guide", X_SystemDomain="efl"), 400, NEED_DOMAIN)


# ----------------------------------------------------------------------------------- IEP

@pytest.mark.parametrize(("token", "learner", "locale"), [
    ("dmtd-demo-iframe-token", DEMO.sam, "en"),
    ("dmtd-demo-iframe-token", DEMO.noa, "es"),
    (STANDARD_TOKEN, DEMO.lee, "fr"),
])
def test_iep_template_in_the_learners_locale(client: httpx.Client, token: str, learner: int,
                                             locale: str) -> None:
    response = call(client, "GET", "/1/assessment_report/iep", token=token,
                    X_SystemDomain="vbmapp", X_LearnerId=learner)
    assert_response(response, 200, iep(locale))


@pytest.mark.parametrize(("extra", "status", "expected"), [
    ({"X_LearnerId": DEMO.sam}, 400, NEED_DOMAIN),
    ({"X_SystemDomain": "vbmapp"}, 400, error("X-LearnerId or X-LearnerCode is required")),
    ({"X_SystemDomain": "vbmapp", "X_LearnerCode": "ghost"}, 404,
     error("No learner with X-LearnerCode 'ghost' could be located")),
])
def test_iep_failures(client: httpx.Client, extra: dict[str, Any], status: int,
                      expected: dict[str, Any]) -> None:
    assert_response(call(client, "GET", "/1/assessment_report/iep", **extra), status, expected)

"""Built-in VB-MAPP content: the protocol, the guide and the IEP template (decision D23).

The real VB-MAPP text is copyrighted and not public, so this module holds a synthetic data set
with the documented *structure* and every text written for the emulator as a neutral
placeholder, in the three content locales (`en`, `es`, `fr`).

Documented structure (fact sheet §2, §5.11-§5.14):
- four areas: `milestones`, `barriers`, `transitions`, `eesa`;
- 170 milestones in 16 groups (domains) over 3 levels (0-18, 18-30, 30-48 months), 5 per
  group and level, so 45 + 60 + 65 — the thresholds of `ASSESSMENT_MILESTONE_LEVEL_ACHIEVED`;
- groups carry `levels` (milestones only); questions carry `questionNum` (counted from 1 within
  the group), `skillCount` and `level` (milestones only).

Emulator choices where the fact sheet is silent (also listed in docs/dmtd.md):
- `SKILL_COUNT_BY_LEVEL`: synthetic skill counts, the same for every milestone of a level;
- `BARRIER_COUNT`, `TRANSITION_COUNT`: barriers and transitions are one group each, `group1`,
  because their score entries carry no group (§5.8);
- `EESA_GROUPS` x `EESA_ITEMS_PER_GROUP`: the early echoic assessment as 5 groups `group1`..
  `group5` of 20 items;
- `GUIDE_SECTIONS`: 16 chapters (the count of the legacy guide index), the first without
  sections like the legacy "Acknowledgements" chapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

LOCALES = ("en", "es", "fr")
DEFAULT_LOCALE = "en"
AREAS = ("milestones", "barriers", "transitions", "eesa")
MILESTONES_PER_LEVEL = 5
LEVEL_MONTHS = {1: "0-18", 2: "18-30", 3: "30-48"}
# Which levels each of the 16 milestone domains spans (9 + 12 + 13 groups x 5 = 170).
MILESTONE_GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("mand", (1, 2, 3)),
    ("tact", (1, 2, 3)),
    ("listener", (1, 2, 3)),
    ("vpmts", (1, 2, 3)),
    ("play", (1, 2, 3)),
    ("social", (1, 2, 3)),
    ("imitation", (1, 2)),
    ("echoic", (1, 2)),
    ("vocal", (1,)),
    ("lrffc", (2, 3)),
    ("intraverbal", (2, 3)),
    ("classroom", (2, 3)),
    ("linguistic", (2, 3)),
    ("reading", (3,)),
    ("writing", (3,)),
    ("math", (3,)),
)
SKILL_COUNT_BY_LEVEL = {1: 3, 2: 4, 3: 5}
BARRIER_COUNT = 24
TRANSITION_COUNT = 18
EESA_GROUPS = 5
EESA_ITEMS_PER_GROUP = 20
SINGLE_GROUP = "group1"
GUIDE_SECTIONS = (0, 3, 4, 3, 2, 5, 3, 4, 3, 2, 4, 3, 2, 3, 2, 2)

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "example": "Placeholder example for {area} {group} question {num}.",
        "level_title": "Level {level} ({months} months)",
        "eesa_title": "Echoic group {n} (placeholder)",
        "eesa_instructions": "Placeholder instructions for echoic group {n}.",
        "eesa_target": "placeholder target {n}.{i}",
        "chapter": "Chapter {n} (placeholder)",
        "section": "Section {n}.{s} (placeholder)",
        "section_text": "Placeholder text of section {n}.{s}, written for the emulator.",
        "iep_title": "Individualized Education Program (placeholder)",
        "iep_intro": "This placeholder report was produced by the LMS emulator.",
        "iep_scores": "Milestones",
        "iep_overall": "Overall milestone score: %ASSESSMENT_MILESTONE_OVERALL_SCORE% of 170.",
        "iep_level": "Highest level achieved: %ASSESSMENT_MILESTONE_LEVEL_ACHIEVED%.",
        "iep_level1": "Placeholder recommendation for level 1.",
        "iep_level2": "Placeholder recommendation for level 2.",
        "iep_level3": "Placeholder recommendation for level 3.",
        "iep_goals": "Goals",
        "iep_goal": "Placeholder goal for the next milestones.",
    },
    "es": {
        "example": "Ejemplo de marcador para {area} {group} pregunta {num}.",
        "level_title": "Nivel {level} ({months} meses)",
        "eesa_title": "Grupo ecoico {n} (marcador)",
        "eesa_instructions": "Instrucciones de marcador para el grupo ecoico {n}.",
        "eesa_target": "objetivo de marcador {n}.{i}",
        "chapter": "Capítulo {n} (marcador)",
        "section": "Sección {n}.{s} (marcador)",
        "section_text": "Texto de marcador de la sección {n}.{s}, escrito para el emulador.",
        "iep_title": "Programa de educación individualizado (marcador)",
        "iep_intro": "Este informe de marcador fue generado por el emulador LMS.",
        "iep_scores": "Hitos",
        "iep_overall": "Puntuación total de hitos: %ASSESSMENT_MILESTONE_OVERALL_SCORE% de 170.",
        "iep_level": "Nivel más alto alcanzado: %ASSESSMENT_MILESTONE_LEVEL_ACHIEVED%.",
        "iep_level1": "Recomendación de marcador para el nivel 1.",
        "iep_level2": "Recomendación de marcador para el nivel 2.",
        "iep_level3": "Recomendación de marcador para el nivel 3.",
        "iep_goals": "Objetivos",
        "iep_goal": "Objetivo de marcador para los próximos hitos.",
    },
    "fr": {
        "example": "Exemple fictif pour {area} {group} question {num}.",
        "level_title": "Niveau {level} ({months} mois)",
        "eesa_title": "Groupe écholalique {n} (fictif)",
        "eesa_instructions": "Consignes fictives pour le groupe écholalique {n}.",
        "eesa_target": "cible fictive {n}.{i}",
        "chapter": "Chapitre {n} (fictif)",
        "section": "Section {n}.{s} (fictive)",
        "section_text": "Texte fictif de la section {n}.{s}, écrit pour l'émulateur.",
        "iep_title": "Programme éducatif individualisé (fictif)",
        "iep_intro": "Ce rapport fictif a été produit par l'émulateur LMS.",
        "iep_scores": "Jalons",
        "iep_overall": "Score total des jalons : %ASSESSMENT_MILESTONE_OVERALL_SCORE% sur 170.",
        "iep_level": "Niveau le plus élevé atteint : %ASSESSMENT_MILESTONE_LEVEL_ACHIEVED%.",
        "iep_level1": "Recommandation fictive pour le niveau 1.",
        "iep_level2": "Recommandation fictive pour le niveau 2.",
        "iep_level3": "Recommandation fictive pour le niveau 3.",
        "iep_goals": "Objectifs",
        "iep_goal": "Objectif fictif pour les prochains jalons.",
    },
}

_LEVEL_CONDITION = "%ASSESSMENT_MILESTONE_LEVEL_ACHIEVED% == {level}"
# (Style, Condition, Condition_Comment, text key) of the IEP template (§5.14).
_IEP: tuple[tuple[str, str | None, str | None, str], ...] = (
    ("H1", None, None, "iep_title"),
    ("Intro", None, None, "iep_intro"),
    ("H2", None, None, "iep_scores"),
    ("Normal", None, None, "iep_overall"),
    ("Indent", None, None, "iep_level"),
    ("Warn", _LEVEL_CONDITION.format(level=1), "Only when level 1 is the highest achieved",
     "iep_level1"),
    ("Normal", _LEVEL_CONDITION.format(level=2), "Only when level 2 is the highest achieved",
     "iep_level2"),
    ("Normal", _LEVEL_CONDITION.format(level=3), "Only when level 3 is the highest achieved",
     "iep_level3"),
    ("H3", None, None, "iep_goals"),
    ("List", "%ASSESSMENT_MILESTONE_OVERALL_SCORE% < 170", "Only while milestones remain",
     "iep_goal"),
)


def text(locale: str, key: str, **values: object) -> str:
    return _TEXT[locale][key].format(**values)


@dataclass(frozen=True)
class Question:
    num: int
    level: int | None = None

    @property
    def skill_count(self) -> int | None:
        return None if self.level is None else SKILL_COUNT_BY_LEVEL[self.level]


@dataclass(frozen=True)
class Group:
    area: str
    group: str
    levels: tuple[int, ...]
    questions: tuple[Question, ...]

    def question(self, num: int) -> Question | None:
        return next((q for q in self.questions if q.num == num), None)


def _milestone_group(name: str, levels: tuple[int, ...]) -> Group:
    questions = [Question(num=i + 1, level=level)
                 for i, level in enumerate(lvl for lvl in levels
                                           for _ in range(MILESTONES_PER_LEVEL))]
    return Group("milestones", name, levels, tuple(questions))


def _plain_group(area: str, name: str, count: int) -> Group:
    return Group(area, name, (), tuple(Question(num=n) for n in range(1, count + 1)))


@cache
def protocol() -> dict[str, tuple[Group, ...]]:
    """The groups of every area, in protocol order."""
    return {
        "milestones": tuple(_milestone_group(name, levels) for name, levels in MILESTONE_GROUPS),
        "barriers": (_plain_group("barriers", SINGLE_GROUP, BARRIER_COUNT),),
        "transitions": (_plain_group("transitions", SINGLE_GROUP, TRANSITION_COUNT),),
        "eesa": tuple(_plain_group("eesa", f"group{n}", EESA_ITEMS_PER_GROUP)
                      for n in range(1, EESA_GROUPS + 1)),
    }


def find_group(area: str, group: str) -> Group | None:
    return next((g for g in protocol().get(area, ()) if g.group == group), None)


def level_name(level: int) -> str:
    return f"level{level}"


def parse_level(name: str) -> int | None:
    """`level1`..`level3` as used by the index; anything else is an unknown level."""
    return next((lvl for lvl in LEVEL_MONTHS if level_name(lvl) == name), None)


def eesa_texts(group: Group, locale: str) -> dict[str, Any]:
    n = int(group.group.removeprefix("group"))
    return {
        "instructions": text(locale, "eesa_instructions", n=n),
        "title": text(locale, "eesa_title", n=n),
        "targets": [text(locale, "eesa_target", n=n, i=q.num) for q in group.questions],
    }


@cache
def guide(locale: str) -> dict[str, Any]:
    """The whole guide, in the emulator's inferred shape (D23)."""
    chapters = [
        {"title": text(locale, "chapter", n=n),
         "sections": [{"title": text(locale, "section", n=n, s=s),
                       "text": text(locale, "section_text", n=n, s=s)}
                      for s in range(1, sections + 1)]}
        for n, sections in enumerate(GUIDE_SECTIONS, start=1)
    ]
    return {"chapters": chapters, "count": len(chapters)}


@cache
def iep_template(locale: str) -> list[dict[str, str]]:
    """The IEP paragraphs, placeholders (`%VARIABLE%`) left as they are (§5.14)."""
    out: list[dict[str, str]] = []
    for style, condition, comment, key in _IEP:
        paragraph = {"Style": style}
        if condition is not None:
            paragraph["Condition"] = condition
        if comment is not None:
            paragraph["Condition_Comment"] = comment
        paragraph["Text"] = text(locale, key)
        out.append(paragraph)
    return out

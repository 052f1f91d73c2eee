"""Expected bodies shared by several DMTD test modules (written out, not computed by the
emulator's own code)."""

from __future__ import annotations

from typing import Any

_CONDITIONS: list[tuple[str, str | None, str | None]] = [
    ("H1", None, None),
    ("Intro", None, None),
    ("H2", None, None),
    ("Normal", None, None),
    ("Indent", None, None),
    ("Warn", "%ASSESSMENT_MILESTONE_LEVEL_ACHIEVED% == 1",
     "Only when level 1 is the highest achieved"),
    ("Normal", "%ASSESSMENT_MILESTONE_LEVEL_ACHIEVED% == 2",
     "Only when level 2 is the highest achieved"),
    ("Normal", "%ASSESSMENT_MILESTONE_LEVEL_ACHIEVED% == 3",
     "Only when level 3 is the highest achieved"),
    ("H3", None, None),
    ("List", "%ASSESSMENT_MILESTONE_OVERALL_SCORE% < 170", "Only while milestones remain"),
]

_IEP_TEXT = {
    "en": [
        "Individualized Education Program (placeholder)",
        "This placeholder report was produced by the LMS emulator.",
        "Milestones",
        "Overall milestone score: %ASSESSMENT_MILESTONE_OVERALL_SCORE% of 170.",
        "Highest level achieved: %ASSESSMENT_MILESTONE_LEVEL_ACHIEVED%.",
        "Placeholder recommendation for level 1.",
        "Placeholder recommendation for level 2.",
        "Placeholder recommendation for level 3.",
        "Goals",
        "Placeholder goal for the next milestones.",
    ],
    "es": [
        "Programa de educación individualizado (marcador)",
        "Este informe de marcador fue generado por el emulador LMS.",
        "Hitos",
        "Puntuación total de hitos: %ASSESSMENT_MILESTONE_OVERALL_SCORE% de 170.",
        "Nivel más alto alcanzado: %ASSESSMENT_MILESTONE_LEVEL_ACHIEVED%.",
        "Recomendación de marcador para el nivel 1.",
        "Recomendación de marcador para el nivel 2.",
        "Recomendación de marcador para el nivel 3.",
        "Objetivos",
        "Objetivo de marcador para los próximos hitos.",
    ],
    "fr": [
        "Programme éducatif individualisé (fictif)",
        "Ce rapport fictif a été produit par l'émulateur LMS.",
        "Jalons",
        "Score total des jalons : %ASSESSMENT_MILESTONE_OVERALL_SCORE% sur 170.",
        "Niveau le plus élevé atteint : %ASSESSMENT_MILESTONE_LEVEL_ACHIEVED%.",
        "Recommandation fictive pour le niveau 1.",
        "Recommandation fictive pour le niveau 2.",
        "Recommandation fictive pour le niveau 3.",
        "Objectifs",
        "Objectif fictif pour les prochains jalons.",
    ],
}


def iep(locale: str) -> list[dict[str, Any]]:
    out = []
    for (style, condition, comment), text in zip(_CONDITIONS, _IEP_TEXT[locale], strict=True):
        paragraph = {"Style": style}
        if condition is not None and comment is not None:
            paragraph.update({"Condition": condition, "Condition_Comment": comment})
        paragraph["Text"] = text
        out.append(paragraph)
    return out

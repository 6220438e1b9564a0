"""docs/answers.md, written from the questionnaire definitions so that the two never disagree."""

from __future__ import annotations

from service.screening.definitions import QUESTIONNAIRES, Item

_HEADER = """# Answer keys

Every answer a screening or questionnaire takes, by key: the question as the client reads it, its
type and range, and when it is asked. Booking systems send these keys in `answers`
(`POST /api/v1/screenings`, `POST /api/v1/appointments`); a key that is not listed here is a 400.
Pain scores are the 0-10 Numeric Pain Rating Scale. How each answer is used is in
[screening.md](screening.md).

This file is generated from `service/screening/definitions.py` by `make docs`; a test fails when
it is out of date.
"""


def _type(item: Item) -> str:
    if item.type == "boolean":
        return "yes/no (`true`/`false`)"
    if item.type == "integer":
        return f"whole number, {item.minimum} to {item.maximum}"
    if item.type == "choice":
        return "one of " + ", ".join(f"`{choice.value}` ({choice.label.lower()})" for choice in item.choices)
    return f"text, up to {item.maximum} characters" if item.maximum else "text"


def _condition(item: Item) -> str:
    if not item.enable_when:
        return "always"
    parts = []
    for condition in item.enable_when:
        value = {True: "yes", False: "no"}.get(condition.equals, condition.equals)  # type: ignore[arg-type]
        parts.append(f"`{condition.key}` is {value}")
    return "when " + " and ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_answers_doc() -> str:
    """The whole Markdown document."""
    lines = [_HEADER]
    for questionnaire in QUESTIONNAIRES.values():
        lines.append(f"## `{questionnaire.kind}`: {questionnaire.title} (version {questionnaire.version})\n")
        lines.append("| key | question | type and range | asked |")
        lines.append("|---|---|---|---|")
        for item in questionnaire.items:
            question = item.text + (f" <br>*{item.help}*" if item.help else "")
            lines.append(f"| `{item.key}` | {_cell(question)} | {_cell(_type(item))} | {_cell(_condition(item))} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"

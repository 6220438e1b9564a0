"""The repository's docs stand on their own and agree with the code."""

from __future__ import annotations

import subprocess

from service.questionnaires.answers_doc import render_answers_doc
from service.screening.definitions import ANSWER_KEYS
from tests.conftest import ROOT


def test_answers_doc_is_generated_from_the_definitions():
    on_disk = (ROOT / "docs" / "answers.md").read_text()
    assert on_disk == render_answers_doc(), "docs/answers.md is out of date: run `make docs`"


def test_answers_doc_lists_every_answer_key():
    text = (ROOT / "docs" / "answers.md").read_text()
    for key in ANSWER_KEYS:
        assert f"| `{key}` |" in text


GUIDES = r"(CONTRACT|CLINICAL|PLATFORMS|STYLE)\.md"


def test_no_file_of_the_project_points_at_guides_it_does_not_ship():
    tracked = subprocess.run(
        ["git", "grep", "-l", "-E", GUIDES, "--", ".", ":!tests/deploy/test_docs.py"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert tracked.stdout == "", f"these files cite guides that users of the repository do not have:\n{tracked.stdout}"


def test_the_readme_links_the_deployment_and_answer_docs():
    readme = (ROOT / "README.md").read_text()
    for doc in ("docs/deploy.md", "docs/answers.md", "docs/screening.md", "docs/integrations.md"):
        assert doc in readme
        assert (ROOT / doc).exists()

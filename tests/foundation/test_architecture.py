"""The layering the code relies on, checked on every run by import-linter (contracts in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold():
    # The pure engine imports no Django; no service imports its tasks; nothing builds payloads with DRF.
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_the_contracts_can_fail(tmp_path):
    # The same checker refuses an import the engine really makes (engine → policy).
    config = tmp_path / "contracts.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_packages = ["service"]\n'
        "include_external_packages = true\n"
        "[[tool.importlinter.contracts]]\n"
        'name = "a contract the engine breaks"\n'
        'type = "forbidden"\n'
        'source_modules = ["service.screening.engine"]\n'
        'forbidden_modules = ["service.screening.policy"]\n'
    )
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "service.screening.engine is not allowed to import service.screening.policy" in result.stdout

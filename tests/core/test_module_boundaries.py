"""The module boundaries of pyproject's import-linter contracts hold, and a new cycle would break them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import chengguan

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts on the package found under ``source_root``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=source_root,
        env={"PYTHONPATH": str(source_root), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_every_contract() -> None:
    result = lint_imports(Path(chengguan.__file__).resolve().parents[1])
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_layers_and_the_cycle_contracts(tmp_path: Path) -> None:
    copy = tmp_path / "chengguan"
    shutil.copytree(Path(chengguan.__file__).resolve().parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    kit_types = copy / "kit" / "types.py"
    kit_types.write_text(kit_types.read_text() + "\nfrom chengguan.cases import workflow  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "chengguan.kit is not allowed to import chengguan.cases" in result.stdout
    assert "kit is shared plumbing: it imports no domain package BROKEN" in result.stdout
    assert "No import cycles between sibling packages or modules BROKEN" in result.stdout

"""Helpers of the key tests: the command line with the environment pointing at a private copy."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chengguan.cli import app as cli
from chengguan.core.config import get_settings
from chengguan.core.fieldtypes import forget_default_keyring


def use_env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Point ``get_settings()`` (the command line) at these ``CHENGGUAN_<NAME>`` values."""
    for name, value in variables.items():
        monkeypatch.setenv(f"CHENGGUAN_{name.upper()}", value)
    monkeypatch.delenv("CHENGGUAN_NOW", raising=False)
    get_settings.cache_clear()
    forget_default_keyring()


def run_cli(*args: str) -> tuple[int, str]:
    """``chengguan ARGS``: exit code and everything it printed (stdout and stderr)."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


@pytest.fixture(autouse=True)
def _forget_env() -> object:
    yield
    get_settings.cache_clear()
    forget_default_keyring()

"""The architecture contracts of `make lint` (pyproject.toml, import-linter) hold, and each one fails
when code breaks it: a copy of the tree with one offending module is checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path, contract: str | None = None) -> subprocess.CompletedProcess:
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo"] + (["--contract", contract] if contract else [])
    return subprocess.run(args, cwd=tree, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path):
    """A copy of the code and its contracts (without static files and catalogs)."""
    ignore = shutil.ignore_patterns("static", "translations", "__pycache__", "*.pyc")
    for package in ("tenants", "webapp"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


BREAKS = {
    # contract -> (file in the copy, code appended to it), each against one rule
    "domain": ("tenants/requests/deadlines.py", "\nfrom flask import g  # noqa\n"),
    "features": ("webapp/inbox/views.py", "\nfrom ..requests import forms  # noqa\n"),
    "layers": ("webapp/labels.py", "\nfrom .inbox import views  # noqa\n"),
    "acyclic": ("tenants/requests/states.py", "\nfrom . import service  # noqa\n"),
}


@pytest.mark.parametrize("contract", sorted(BREAKS))
def test_each_contract_fails_on_a_module_that_breaks_it(tree, contract):
    assert _lint(tree, contract).returncode == 0  # the copy keeps it before the change
    path, code = BREAKS[contract]
    with open(tree / path, "a", encoding="utf-8") as fh:
        fh.write(code)
    result = _lint(tree, contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout


def test_a_new_web_module_must_be_given_a_layer(tree):
    (tree / "webapp" / "newcomer.py").write_text('"""Where does this belong?"""\n')
    result = _lint(tree, "layers")
    assert result.returncode == 1 and "newcomer" in result.stdout + result.stderr

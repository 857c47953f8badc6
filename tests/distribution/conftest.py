"""A fresh virtual environment with plain `pip install .`: what a user of the SDK gets.

Built once per session and per supported Python found on the machine (3.11 to 3.13,
as `requires-python` says; pyenv's versions count), from a copy of the project's
sources (so the build leaves nothing in the checkout), with pip's own cache and the
project's constraints.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: What `pip install .` builds from.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "sdk", "node")
INSTALL_TIMEOUT = 900
#: The Pythons `requires-python` admits; each one this machine has is tested.
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")


def _interpreter(version: str) -> str | None:
    """A working `python{version}`: this one, one on PATH, or one of pyenv's versions."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [shutil.which(f"python{version}"), *sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"))]
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", "pass"], capture_output=True, timeout=30).returncode == 0:
            return candidate
    return None


def _clean_environment() -> dict[str, str]:
    """This process's environment without the checkout on PYTHONPATH or a venv on PATH."""
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return environment


@pytest.fixture(scope="session", params=SUPPORTED_PYTHONS)
def supported_python(request) -> str:
    """Each Python version the project supports, as "3.12"."""
    return str(request.param)


@pytest.fixture(scope="session")
def light_venv(supported_python: str, tmp_path_factory) -> Path:
    """The python of a fresh venv holding `pip install .` and nothing else, for each supported Python."""
    interpreter = _interpreter(supported_python)
    if interpreter is None:
        pytest.skip(f"Python {supported_python} is not installed here")
    root = tmp_path_factory.mktemp(f"light-{supported_python}")
    source = root / "src"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(origin, source / name)
    venv = root / "venv"
    environment = _clean_environment()
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True, env=environment, timeout=120)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "-q", "--prefer-binary", "-c", str(ROOT / "constraints.txt"), str(source)]
    result = subprocess.run(install, capture_output=True, text=True, env=environment, timeout=INSTALL_TIMEOUT)
    assert result.returncode == 0, result.stderr[-3000:]
    return python


@pytest.fixture
def run_light(light_venv: Path, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """run_light(*args) runs the fresh venv's python with `args`, outside the checkout."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(light_venv), *args], capture_output=True, text=True, env=_clean_environment(),
                              cwd=tmp_path, timeout=120)

    return run

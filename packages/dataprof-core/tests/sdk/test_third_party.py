"""A third-party connector, installed with pip into a fresh virtualenv, works like a first-party one.

This is the whole outside author's path: a separate distribution that uses only the
documented API, pip-installed beside dataprof-core, listed by `dataprof connectors`,
built by `get_connector`, and passing the conformance kit with its own tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "dataprof-sqlite"
CORE = HERE.parents[1]


def _uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail("uv is required for this test (it is in the core test dependencies)")
    return found


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("third-party")
    env_dir = root / "venv"
    subprocess.run([_uv(), "venv", "-q", "-p", sys.executable, str(env_dir)], check=True)
    py = env_dir / "bin" / "python"
    # Core from this checkout; the plugin as a normal (non-editable) pip install.
    subprocess.run(
        [_uv(), "pip", "install", "-q", "-p", str(py), "-e", str(CORE), str(FIXTURE), "pytest"],
        check=True,
    )
    return env_dir


def run(venv: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_listed_by_dataprof_connectors(venv: Path) -> None:
    result = run(venv, "dataprof", "connectors")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "sqlite" in line)
    assert "dataprof-sqlite" in line
    assert "0.3.0" in line
    assert "available" in line


def test_built_by_get_connector(venv: Path, tmp_path: Path) -> None:
    code = (
        "import sqlite3, sys\n"
        f"db = {str(tmp_path / 'x.db')!r}\n"
        "c = sqlite3.connect(db); c.execute('create table t (a INTEGER)'); c.execute('insert into t values (1)'); c.commit()\n"
        "import dataprof\n"
        "conn = dataprof.get_connector(dataprof.DataSourceConfig(source_type='sqlite', connection_params={'path': db}, database='main', table='t'))\n"
        "print(type(conn).__module__, conn.get_row_count())\n"
    )
    result = run(venv, "python", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["dataprof_sqlite", "1"]


def test_passes_the_conformance_kit(venv: Path, tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    shutil.copytree(FIXTURE / "tests", tests)
    result = run(
        venv, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests), cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert "failed" not in result.stdout
    assert "skipped" not in result.stdout

"""The image's install command, run as the Dockerfile runs it but in a fresh virtualenv
(no Docker here): afterwards `dataprof connectors` lists every backend as available, and
the job's Supabase store and S3 archive have their libraries."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from dataprof_infra.profiler_stack import REPO_ROOT

DOCKERFILE = REPO_ROOT / "infra" / "Dockerfile"


def install_command() -> list[str]:
    """The Dockerfile's one `RUN uv pip install ...` line, as arguments."""
    [line] = [
        line.removeprefix("RUN ").strip()
        for line in DOCKERFILE.read_text().splitlines()
        if line.startswith("RUN uv pip install")
    ]
    return shlex.split(line)


def test_install_command_gives_every_connector(tmp_path: Path) -> None:
    command = install_command()
    assert command[:4] == ["uv", "pip", "install", "--system"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The image copies packages/ to its working directory; here the checkout is that directory.
    into_venv = ["--python", str(venv / "bin" / "python"), *command[4:]]
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv is not None, "requirements-dev.txt installs uv beside the tests"
    subprocess.run([uv, *command[1:3], *into_venv], cwd=REPO_ROOT, check=True)
    # The job's Supabase store (httpx) and S3 archive (boto3) come with the image.
    subprocess.run([str(venv / "bin" / "python"), "-c", "import httpx, boto3"], check=True)
    listing = subprocess.run(
        [str(venv / "bin" / "dataprof"), "connectors"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    status = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"^\W*(\w+)\s*\W\s*dataprof-\S+\s*\W\s*\S+\s*\W\s*([\w ]+?)\s*\W", listing, re.M
        )
    }
    assert {name: status.get(name) for name in ("file", "iceberg", "athena", "redshift")} == {
        "file": "available",
        "iceberg": "available",
        "athena": "available",
        "redshift": "available",
    }, listing

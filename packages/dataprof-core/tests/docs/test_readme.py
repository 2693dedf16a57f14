"""Every example in the README runs, like a doctest, so the README states only what works.

Each fenced block in README.md follows a marker that says how it is checked:

    <!-- example: KIND [needs=module,module] -->

- ``ci``: the block holds the command `.ci/run` runs (the test suite itself);
- ``shell``: each line runs in bash, in a scratch folder holding a copy of
  ``examples/``, with this environment's ``dataprof`` first on PATH; each must exit 0;
- ``output``: ``$ command`` then what it prints; the command runs and prints that;
- ``install``: each ``pip install`` runs (as ``uv pip install``) into one fresh venv, from
  the repository root, and each backend named is then ``available``;
- ``toml-sources``: the TOML loads as dataprof sources and each builds its connector
  (parameters validated; nothing is reached over the network);
- ``toml``: the TOML parses; ``python``: the code runs (in a scratch folder like
  ``shell``); ``paths``: each path listed exists.

A block without a marker fails `test_every_example_has_a_marker`: write one. A block
whose ``needs`` are not installed is not collected here; `nox -s all_backends`, where
every backend is installed, runs the ``needs`` ones (``-k needs``), so in CI every
block runs somewhere.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
README = ROOT / "README.md"
_MARKER = re.compile(r"<!-- example: (?P<kind>[\w-]+)(?: needs=(?P<needs>[\w,]+))? -->")


@dataclass(frozen=True)
class Example:
    line: int
    kind: str | None
    needs: tuple[str, ...]
    body: str

    @property
    def runnable_here(self) -> bool:
        return all(importlib.util.find_spec(module) for module in self.needs)

    def __str__(self) -> str:
        needs = f"-needs-{'-'.join(self.needs)}" if self.needs else ""
        return f"line{self.line}-{self.kind}{needs}"


def read_examples(text: str) -> list[Example]:
    lines = text.splitlines()
    examples: list[Example] = []
    i = 0
    while i < len(lines):
        # A fence is ``` plus an optional language; ``` `x` ``` in prose is inline code.
        if not re.fullmatch(r"```[\w-]*\s*", lines[i]):
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if re.fullmatch(r"```\s*", lines[j]))
        marker = _MARKER.fullmatch(lines[i - 1].strip()) if i else None
        examples.append(
            Example(
                line=i + 1,
                kind=marker.group("kind") if marker else None,
                needs=tuple((marker.group("needs") or "").split(",")) if marker else (),
                body="\n".join(lines[i + 1 : end]) + "\n",
            )
        )
        i = end + 1
    return [e if e.needs != ("",) else Example(e.line, e.kind, (), e.body) for e in examples]


EXAMPLES = read_examples(README.read_text(encoding="utf-8"))


def test_every_example_has_a_marker() -> None:
    """Fix: put ``<!-- example: KIND -->`` on the line above the block (KINDs: module docstring)."""
    unmarked = [e.line for e in EXAMPLES if e.kind not in {*CHECKS, "ci"}]
    assert not unmarked, f"README.md blocks at lines {unmarked} say no (known) way to test them"


def _commands(example: Example) -> list[str]:
    return [
        line.split("  #", 1)[0].strip()
        for line in example.body.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _scratch(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def _env(**extra: str) -> dict[str, str]:
    # Bytecode written on the first call keeps the next calls from compiling every module.
    skip = {"PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAPROF_") and k not in skip}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "80"
    return {**env, **extra}


def test_ci_runs_the_readmes_test_command() -> None:
    (block,) = [e for e in EXAMPLES if e.kind == "ci"]
    commands = _commands(block)
    ci = (ROOT / ".ci" / "run").read_text()
    assert any(c in ci.splitlines() for c in commands), (commands, ci)


def check_shell(example: Example, tmp_path: Path) -> None:
    scratch = _scratch(tmp_path)
    for command in _commands(example):
        done = subprocess.run(
            ["bash", "-c", command], cwd=scratch, env=_env(), capture_output=True, text=True
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr


def check_output(example: Example, tmp_path: Path) -> None:
    scratch = _scratch(tmp_path)
    first, *expected = example.body.splitlines()
    assert first.startswith("$ ")
    done = subprocess.run(
        ["bash", "-c", first[2:]],
        cwd=scratch,
        env=_env(COLUMNS="200"),
        capture_output=True,
        text=True,
    )
    shown = " ".join((done.stdout + done.stderr).split())
    assert " ".join(" ".join(expected).split()) in shown, shown


def check_install(example: Example, tmp_path: Path) -> None:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    installed: set[str] = set()
    for command in _commands(example):
        words = shlex.split(command)
        assert words[:2] == ["pip", "install"], command
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--python", python, *words[2:]],
            cwd=ROOT,
            check=True,
        )
        installed |= {w.rsplit("dataprof-", 1)[-1] for w in words[2:] if "dataprof-" in w}
    listing = subprocess.run(
        [
            python,
            "-c",
            "from dataprof import list_connectors as l; "
            "print(*(f'{r.name}={r.status}' for r in l()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    status = dict(item.split("=") for item in listing)
    for backend in installed - {"core"}:
        assert status[backend] == "available", status


def check_toml_sources(example: Example, tmp_path: Path) -> None:
    from dataprof.registry import get_connector
    from dataprof.sources import load_sources

    for name in re.findall(r"\$\{(\w+)", example.body):
        os.environ.setdefault(name, f"example-{name.lower()}")
    path = tmp_path / "dataprof.toml"
    path.write_text(example.body)
    sources = load_sources(path)
    assert sources
    for named in sources.values():
        with get_connector(named.config) as connector:  # validates connection_params
            assert connector.config.table == named.config.table


def check_toml(example: Example, tmp_path: Path) -> None:
    assert tomllib.loads(example.body)


def check_python(example: Example, tmp_path: Path) -> None:
    # In a process of its own: an example may change process-wide state (the logging
    # example adds filters to the root logger's handlers, pytest's among them).
    done = subprocess.run(
        [sys.executable, "-c", example.body],
        cwd=_scratch(tmp_path),
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"README.md:{example.line}\n{done.stderr}"


def check_paths(example: Example, tmp_path: Path) -> None:
    for line in example.body.splitlines():
        if line.strip():
            assert (ROOT / line.split()[0]).exists(), line


CHECKS = {
    "shell": check_shell,
    "output": check_output,
    "install": check_install,
    "toml-sources": check_toml_sources,
    "toml": check_toml,
    "python": check_python,
    "paths": check_paths,
}


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.kind in CHECKS and e.runnable_here], ids=str
)
def test_example(example: Example, tmp_path: Path) -> None:
    """Fix: make the README say what works, or make what it says work."""
    assert example.kind is not None
    CHECKS[example.kind](example, tmp_path)

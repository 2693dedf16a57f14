"""`import dataprof` must stay cheap: a CLI start or a plugin import pays for nothing it doesn't use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = {
    "boto3",
    "botocore",
    "pyiceberg",
    "pandas",
    "pyarrow",
    "numpy",
    "dataprof_iceberg",
    "dataprof_athena",
    "dataprof_redshift",
}


def test_import_dataprof_pulls_in_nothing_heavy() -> None:
    code = "import sys, dataprof; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "dataprof" in loaded
    assert not loaded & HEAVY, loaded & HEAVY


def test_listing_connectors_imports_no_backend() -> None:
    code = "import sys, dataprof; dataprof.list_connectors(); print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert not loaded & HEAVY, loaded & HEAVY


def test_cli_help_imports_nothing_heavy() -> None:
    """Every `dataprof` call pays for what building the app imports: keep it to the CLI's own
    modules (where bytecode is not written, each imported module is compiled on every call)."""
    code = (
        "import sys, io, contextlib, runpy; sys.argv = ['dataprof', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        runpy.run_module('dataprof', run_name='__main__')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "typer" in loaded  # the app was built
    # A backend's command module is imported (its commands join the app), nothing heavy.
    heavy = {m for m in HEAVY if not m.startswith("dataprof_")}
    assert not loaded & (heavy | {"jinja2", "datasketches", "psycopg", "httpx", "scipy"})

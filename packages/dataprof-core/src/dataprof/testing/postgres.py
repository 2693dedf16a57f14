"""A throwaway PostgreSQL server for tests: one per pytest session, databases cloned per test.

Why this exists: the PostgreSQL store, the Supabase schema and the Redshift stand-in
are tested against a real server, not a mock. The server runs from installed
binaries (``/usr/lib/postgresql/<version>/bin``, Debian's ``postgresql`` package,
which CI installs), in a fresh temporary folder, on ``127.0.0.1`` and a free port,
with ``fsync=off``.

``initdb`` and ``pg_ctl`` refuse to run as root, and containers and CI run as root:
there the folder is handed to the ``postgres`` OS user and every server command runs
through ``runuser -u postgres --``. pytest's own temporary folders are 0700 and
root-owned, so the server lives in a folder of its own under the system temp dir.

Nothing here imports psycopg: databases are created with the bundled ``psql``, so
importing this module (and the pytest plugin that exposes it) stays cheap.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

__all__ = ["PostgresServer", "PostgresUnavailable", "find_postgres_bindir"]

_BINDIR_ENV = "DATAPROF_PG_BINDIR"
_OS_USER = "postgres"
_SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries were found, or the server would not start."""


def find_postgres_bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``psql``.

    ``$DATAPROF_PG_BINDIR`` first, then the newest ``/usr/lib/postgresql/*/bin``
    (Debian and Ubuntu), then whatever ``pg_ctl`` is on ``PATH``.
    """
    configured = os.environ.get(_BINDIR_ENV)
    candidates: list[Path] = [Path(configured)] if configured else []
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()],
        reverse=True,
    )
    candidates += [Path(p) for p in versions]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise PostgresUnavailable(
        "no PostgreSQL server binaries found (looked at $DATAPROF_PG_BINDIR, "
        "/usr/lib/postgresql/*/bin and PATH); install them with "
        "`apt-get install -y postgresql` or point DATAPROF_PG_BINDIR at a bin folder"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PostgresServer:
    """A private PostgreSQL cluster: ``start()``, ``dsn()``, ``create_database()``, ``stop()``.

    Connect as the superuser ``postgres`` with no password (trust on 127.0.0.1 only).
    ``template(name, setup)`` builds a database once per server; clone it per test with
    ``create_database(new_name, template=name)`` (a file copy, milliseconds).
    """

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_postgres_bindir()
        self.port = 0
        self._root: Path | None = None
        self._templates: dict[str, str] = {}
        self._lock = threading.Lock()
        self._as_root = os.geteuid() == 0

    # -- lifecycle -------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._root is not None

    def start(self) -> None:
        """initdb a fresh cluster and start it; raise ``PostgresUnavailable`` with its log if not."""
        if self.running:
            return
        root = Path(tempfile.mkdtemp(prefix="dataprof-pg-"))
        if self._as_root:
            owner = pwd.getpwnam(_OS_USER)
            os.chown(root, owner.pw_uid, owner.pw_gid)
        data = root / "data"
        try:
            self._server_command(
                "initdb",
                "-D",
                str(data),
                "-U",
                _SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                cwd=root,
            )
        except subprocess.CalledProcessError as exc:
            shutil.rmtree(root, ignore_errors=True)
            raise PostgresUnavailable(f"initdb failed:\n{exc.stdout}\n{exc.stderr}") from exc
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between probe and bind
            port = _free_port()
            with (data / "postgresql.conf").open("a") as conf:
                conf.write(
                    f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{root}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                    "max_connections = 200\n"
                )
            try:
                self._server_command(
                    "pg_ctl",
                    "-D",
                    str(data),
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "start",
                    cwd=root,
                )
            except subprocess.CalledProcessError:
                log = root / "server.log"
                last_error = log.read_text(errors="replace") if log.exists() else ""
                continue
            self.port = port
            self._root = root
            atexit.register(self.stop)
            return
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"PostgreSQL did not start:\n{last_error[-2000:]}")

    def stop(self) -> None:
        """Stop the server at once and delete its folder; safe to call twice."""
        root, self._root = self._root, None
        if root is None:
            return
        subprocess.run(
            self._as_os_user(
                [str(self.bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "stop"]
            ),
            cwd=root,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
        self._templates.clear()

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- databases -------------------------------------------------------------------

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq URL for ``dbname`` as the superuser."""
        if not self.running:
            raise PostgresUnavailable("the server is not running: call start() first")
        return f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """``CREATE DATABASE name [TEMPLATE template]``; returns the new database's DSN."""
        sql = f"CREATE DATABASE {_quote_ident(name)}"
        if template is not None:
            sql += f" TEMPLATE {_quote_ident(template)}"
        self.psql(sql)
        return self.dsn(name)

    def fresh_database(self, template: str | None = None, prefix: str = "test") -> str:
        """A database with a new unique name (from ``template`` if given); returns its DSN."""
        return self.create_database(f"{prefix}_{uuid.uuid4().hex[:12]}", template=template)

    def template(self, name: str, setup: Callable[[str], None]) -> str:
        """Build database ``name`` once per server with ``setup(dsn)``; returns ``name``.

        ``setup`` must close its connections before returning: PostgreSQL refuses to
        copy a template that has a session open. Later calls return at once, so
        many tests (or fixtures) can ask for the same template.
        """
        with self._lock:
            if name not in self._templates:
                dsn = self.create_database(name)
                setup(dsn)
                self._templates[name] = dsn
        return name

    def require_password(self, role: str, password: str) -> None:
        """Create login ``role`` and make the server demand its password over TCP (scram),
        so tests can see what a wrong password does; everyone else stays on trust."""
        if self._root is None:
            raise PostgresUnavailable("the server is not running: call start() first")
        literal = "'" + password.replace("'", "''") + "'"
        self.psql(f"CREATE ROLE {_quote_ident(role)} LOGIN PASSWORD {literal}")
        hba = self._root / "data" / "pg_hba.conf"
        rule = f"host all {_quote_ident(role)} 127.0.0.1/32 scram-sha-256\n"
        hba.write_text(rule + hba.read_text())
        self.psql("select pg_reload_conf()")

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run ``sql`` with ``psql`` (stop on the first error); returns unaligned tuples-only output."""
        result = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.dsn(dbname),
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed on {sql[:200]!r}: {result.stderr.strip()}")
        return result.stdout

    # -- internals -------------------------------------------------------------------

    def _as_os_user(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", _OS_USER, "--", *argv] if self._as_root else argv

    def _server_command(self, program: str, *args: str, cwd: Path) -> None:
        subprocess.run(
            self._as_os_user([str(self.bindir / program), *args]),
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )

"""open_store's resolution order and schemes; result sinks from plugins."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from profile_builders import column, profile

from dataprof import ConfigurationError, PluginError
from dataprof.hooks import reset_hooks
from dataprof.profiling.models import TableProfile
from dataprof.stores import LocalProfileStore, open_store, publish, result_sinks

GROUP = "dataprof.plugins"


@pytest.fixture(autouse=True)
def fresh_hooks() -> Iterator[None]:
    reset_hooks()
    yield
    reset_hooks()


def test_default_env_and_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATAPROF_STORE", raising=False)
    default = open_store()
    assert isinstance(default, LocalProfileStore)
    assert default.root == Path(".dataprof/store")
    monkeypatch.setenv("DATAPROF_STORE", str(tmp_path / "from-env"))
    assert open_store().root == tmp_path / "from-env"  # type: ignore[attr-defined]
    assert open_store(tmp_path / "explicit").root == tmp_path / "explicit"  # type: ignore[attr-defined]
    assert open_store(str(tmp_path / "s")).root == tmp_path / "s"  # type: ignore[attr-defined]


def test_file_urls(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}/with%20space")
    assert isinstance(store, LocalProfileStore)
    assert store.root == tmp_path / "with space"
    store.save_run(profile(column("a")))
    assert (tmp_path / "with space").is_dir()
    with pytest.raises(ConfigurationError, match="remote host"):
        open_store("file://server/share")


def test_unknown_schemes_and_postgres_without_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="Unknown profile store scheme 's3'"):
        open_store("s3://bucket/prefix")
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what `import psycopg` sees uninstalled
    with pytest.raises(ConfigurationError, match="needs psycopg") as info:
        open_store("postgresql://user:hunter2pw@db:5432/profiles")
    assert "pip install 'dataprof-core[postgres]'" in str(info.value)
    assert "hunter2pw" not in str(info.value)
    with pytest.raises(ConfigurationError, match="redis") as unknown:
        open_store("redis://user:sekrit99@host/0")
    assert "sekrit99" not in str(unknown.value)


class Collect:
    name = "collect"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def send(self, p: TableProfile) -> None:
        self.seen.append(p.run_id)


class Explode:
    name = "explode"

    def send(self, p: TableProfile) -> None:
        raise ConnectionError("webhook down")


def test_publish_tries_every_sink_then_names_the_failures() -> None:
    first, last = Collect(), Collect()
    assert publish(profile(column("a")), [first, last]) == 2
    assert first.seen == last.seen == ["run-0"]
    after = Collect()
    with pytest.raises(
        PluginError, match=r"1 of 2 result sinks failed.*explode \(Explode\).*webhook down"
    ):
        publish(profile(column("a"), run=1), [Explode(), after])
    assert after.seen == ["run-1"]


def test_sinks_from_plugins(plugin_site: Any, tmp_path: Path) -> None:
    out = tmp_path / "sent.txt"
    plugin_site.install(
        "dataprof-file-sink",
        {GROUP: {"filesink": "store_test_file_sink"}},
        {
            "store_test_file_sink": f"""
from dataprof import hookimpl

class FileSink:
    name = "file"
    def send(self, profile):
        with open({str(out)!r}, "a") as fh:
            fh.write(profile.run_id + "\\n")

@hookimpl
def dataprof_result_sinks():
    return [FileSink()]
"""
        },
    )
    assert [s.name for s in result_sinks()] == ["file"]
    assert publish(profile(column("a"), run=3)) == 1
    assert out.read_text() == "run-3\n"


def test_plugin_returning_a_non_sink(plugin_site: Any) -> None:
    plugin_site.install(
        "dataprof-bad-sink",
        {GROUP: {"badsink": "store_test_bad_sink"}},
        {
            "store_test_bad_sink": "from dataprof import hookimpl\n@hookimpl\ndef dataprof_result_sinks():\n    return ['x']\n"
        },
    )
    with pytest.raises(PluginError, match="str from dataprof_result_sinks"):
        result_sinks()

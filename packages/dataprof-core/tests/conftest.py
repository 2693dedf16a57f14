"""Shared fixtures for dataprof-core's tests."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")

try:
    from hypothesis import HealthCheck, settings

    # Under CI (CI=true) the examples are derandomized: a landing is judged on the same
    # examples every time; local runs keep exploring new ones.
    settings.register_profile(
        "ci",
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=os.environ.get("CI") == "true",
    )
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass


def write_distribution(
    site: Path,
    name: str,
    entry_points: dict[str, dict[str, str]],
    modules: dict[str, str] | None = None,
) -> None:
    """Lay out an installed distribution (``.dist-info`` metadata and modules) in ``site``.

    This is what pip leaves behind, so ``importlib.metadata`` finds it exactly as it
    finds a pip-installed plugin; the full pip route is tested in test_third_party.
    """
    dist_info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = []
    for group, eps in entry_points.items():
        lines.append(f"[{group}]")
        lines += [f"{k} = {v}" for k, v in eps.items()]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in (modules or {}).items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))


class PluginSite:
    """A fresh folder on sys.path into which tests lay out distributions."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def install(
        self,
        name: str,
        entry_points: dict[str, dict[str, str]],
        modules: dict[str, str] | None = None,
    ) -> None:
        write_distribution(self.path, name, entry_points, modules)


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PluginSite:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return PluginSite(site)

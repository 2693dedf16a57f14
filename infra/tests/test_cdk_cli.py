"""The locked CDK CLI (infra/package.json, package-lock.json) synthesizes the same app:
`npm ci && npx cdk synth`, offline apart from npm's registry, no Docker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

INFRA = Path(__file__).resolve().parents[1]


def test_npx_cdk_synth_writes_both_templates(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    assert npm is not None, "the infra session puts Node.js (npm) on PATH"
    locked = json.loads((INFRA / "package-lock.json").read_text())
    cli = locked["packages"]["node_modules/aws-cdk"]["version"]
    assert json.loads((INFRA / "package.json").read_text())["devDependencies"]["aws-cdk"] == cli
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=INFRA, check=True)
    env = {
        **os.environ,
        # cdk.json runs `python3 app.py`: the interpreter running these tests has aws-cdk-lib
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    out = tmp_path / "cdk.out"
    result = subprocess.run(
        [str(Path(npm).parent / "npx"), "cdk", "synth", "--no-notices", "-q", "-o", str(out)],
        cwd=INFRA,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in out.glob("*.template.json")) == [
        "DataprofData.template.json",
        "DataprofProfiler.template.json",
    ]
    version = json.loads((out / "manifest.json").read_text())["version"]
    assert version  # a cloud assembly the locked CLI accepted

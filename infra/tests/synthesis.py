"""Synthesizing the app for tests, and reading its templates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Template

from dataprof_infra import build_app
from dataprof_infra.app import DATA_STACK, PROFILER_STACK

DATA_ACCESS_CONTEXT = {
    "dataprof:glue_databases": "sales,hr",
    "dataprof:s3_data_prefixes": ["lake/sales/", "s3://lake2/hr/"],
    "dataprof:athena_workgroups": "primary",
    "dataprof:athena_output_prefixes": "athena-results/dataprof/",
    "dataprof:redshift_workgroups": "0123abcd-0000-1111-2222-333344445555",
    "dataprof:redshift_secret_arns": (
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift/dataprof-AbCdEf"
    ),
    "dataprof:supabase_secret_name": "team/supabase",
}


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    data: Template
    profiler: Template
    manifest: dict[str, Any]

    @property
    def profiler_json(self) -> dict[str, Any]:
        return dict(self.profiler.to_json())


def synthesize(outdir: Path, context: dict[str, Any] | None) -> Synthesized:
    app, _, _ = build_app(outdir=str(outdir), context=context)
    assembly = app.synth()
    return Synthesized(
        outdir=outdir,
        data=Template.from_json(assembly.get_stack_by_name(DATA_STACK).template),
        profiler=Template.from_json(assembly.get_stack_by_name(PROFILER_STACK).template),
        manifest=json.loads((outdir / "manifest.json").read_text()),
    )


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {name: dict(body) for name, body in template.find_resources(kind).items()}


def one(template: Template, kind: str) -> dict[str, Any]:
    [resource] = resources(template, kind).values()
    return resource

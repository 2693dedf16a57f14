"""Build the app: both stacks, cdk-nag's AwsSolutions checks attached to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from dataprof_infra.data_stack import DataStack
from dataprof_infra.profiler_stack import ProfilerStack
from dataprof_infra.settings import Settings

__all__ = ["DATA_STACK", "PROFILER_STACK", "build_app"]

DATA_STACK = "DataprofData"
PROFILER_STACK = "DataprofProfiler"

FEATURE_FLAGS = {
    # Step Functions may run the task definition's current revision only, not every
    # revision of its family (`family:*`).
    "@aws-cdk/aws-stepfunctions-tasks:ecsReduceRunTaskPermissions": True,
}
"""CDK feature flags the app relies on, set here so `python app.py` and `cdk synth` agree."""


def build_app(
    *, outdir: str | None = None, context: Mapping[str, Any] | None = None
) -> tuple[App, DataStack, ProfilerStack]:
    """The app with both stacks; ``app.synth()`` writes them to ``outdir`` and fails on
    any cdk-nag finding that is neither fixed nor acknowledged, or on an unknown context key."""
    app = App(outdir=outdir, context={**FEATURE_FLAGS, **(context or {})})
    settings = Settings.from_context(app.node.get_all_context())
    data = DataStack(app, DATA_STACK)
    profiler = ProfilerStack(app, PROFILER_STACK, settings=settings)
    profiler.add_stack_dependency(data)  # the bucket's export exists before it is imported
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, data, profiler

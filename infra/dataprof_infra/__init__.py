"""The CDK app that runs dataprof in AWS: a results bucket, a Fargate profiler, a workflow."""

from dataprof_infra.app import build_app
from dataprof_infra.data_stack import DataStack
from dataprof_infra.profiler_stack import ProfilerStack
from dataprof_infra.settings import ContextError, DataAccess, Settings
from dataprof_infra.workflow import ProfileWorkflow

__all__ = [
    "ContextError",
    "DataAccess",
    "DataStack",
    "ProfileWorkflow",
    "ProfilerStack",
    "Settings",
    "build_app",
]

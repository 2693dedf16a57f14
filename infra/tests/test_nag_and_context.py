"""cdk-nag is attached and binding, every acknowledgment says why, and the context is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import Validations
from aws_cdk import aws_iam as iam

from dataprof_infra import build_app
from dataprof_infra.settings import ContextError, Settings
from synthesis import Synthesized


def test_synth_leaves_no_finding(synthesized: Synthesized, with_access: Synthesized) -> None:
    for synth in (synthesized, with_access):
        report = json.loads((synth.outdir / "validation-report.json").read_text())
        assert report["pluginReports"] == []


def _acknowledgments(outdir: Path) -> dict[str, str]:
    """Rule id -> reason, for every acknowledgment recorded in the assembly's metadata."""
    found: dict[str, str] = {}
    for metadata in outdir.glob("*.metadata.json"):
        for entries in json.loads(metadata.read_text()).values():
            for entry in entries:
                if entry["type"] == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                    found.update(entry["data"])
    return found


def test_every_acknowledgment_names_a_rule_and_a_reason(
    synthesized: Synthesized, with_access: Synthesized
) -> None:
    acks = _acknowledgments(synthesized.outdir)
    ours = {
        rule.removeprefix("Annotation::"): why
        for rule, why in acks.items()
        if "AwsSolutions" in rule
    }
    assert {"AwsSolutions-S1", "AwsSolutions-VPC7", "AwsSolutions-ECS2"} <= set(ours)
    assert "AwsSolutions-IAM5[Resource::dataprof-results-bucket-arn/profiles/*]" in ours
    assert all(len(reason) > 40 for reason in ours.values()), ours
    with_context = _acknowledgments(with_access.outdir)
    assert any("table/sales/*" in rule for rule in with_context)


def test_an_unacknowledged_wildcard_fails_the_synth(tmp_path: Path) -> None:
    app, _, profiler = build_app(outdir=str(tmp_path))
    profiler.task_role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "validation-report.json").read_text()
    assert "AwsSolutions-IAM5" in report
    assert "s3:*" in report


def test_unknown_context_key_fails_naming_it() -> None:
    with pytest.raises(ContextError, match=r"'dataprof:glue_database'.*dataprof:glue_databases"):
        build_app(context={"dataprof:glue_database": "sales"})
    with pytest.raises(
        ContextError, match=r"'glue_databases'.*did you mean dataprof:glue_databases"
    ):
        Settings.from_context({"glue_databases": "sales"})


def test_cdk_own_context_keys_are_left_alone() -> None:
    settings = Settings.from_context(
        {
            "@aws-cdk/core:newStyleStackSynthesis": True,
            "aws:cdk:enable-path-metadata": True,
            "acknowledged-issue-numbers": [1],
        }
    )
    assert settings == Settings()
    assert not settings.data_access.any


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"dataprof:s3_data_prefixes": "lake/*"}, "no wildcards"),
        ({"dataprof:redshift_secret_arns": "redshift/dataprof"}, "not a Secrets Manager"),
        ({"dataprof:glue_databases": {"a": 1}}, "list of strings"),
        ({"dataprof:supabase_secret_name": " "}, "secret's name"),
        ({"dataprof:max_concurrency": "0"}, "positive integer"),
        ({"dataprof:max_concurrency": "twenty"}, "positive integer"),
        ({"dataprof:bytes_per_task": True}, "positive integer"),
    ],
)
def test_bad_context_values_are_refused(context: dict[str, object], message: str) -> None:
    with pytest.raises(ContextError, match=message):
        Settings.from_context(context)


def test_lists_come_from_json_or_comma_separated_strings() -> None:
    access = Settings.from_context(
        {
            "dataprof:glue_databases": "sales, hr,",
            "dataprof:s3_data_prefixes": ["s3://lake/a/", "lake2"],
        }
    ).data_access
    assert access.glue_databases == ("sales", "hr")
    assert access.s3_data_prefixes == (("lake", "a/"), ("lake2", ""))


def test_numbers_come_from_json_or_strings() -> None:
    assert Settings.from_context({}).max_concurrency == 20
    settings = Settings.from_context(
        {"dataprof:max_concurrency": " 5", "dataprof:bytes_per_task": 1024}
    )
    assert (settings.max_concurrency, settings.bytes_per_task) == (5, 1024)

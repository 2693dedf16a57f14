"""The two stacks' resources: network, cluster, task, bucket, and how they are wired."""

from __future__ import annotations

import json

from dataprof_infra.data_stack import RESULTS_BUCKET_ARN_EXPORT
from dataprof_infra.profiler_stack import IMAGE_EXCLUDES
from synthesis import Synthesized, one, resources


def test_network_is_two_public_subnets_without_nat(synthesized: Synthesized) -> None:
    profiler = synthesized.profiler
    subnets = resources(profiler, "AWS::EC2::Subnet")
    assert len(subnets) == 2
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is True for s in subnets.values())
    profiler.resource_count_is("AWS::EC2::NatGateway", 0)
    profiler.resource_count_is("AWS::EC2::EIP", 0)
    profiler.resource_count_is("AWS::EC2::InternetGateway", 1)


def test_one_cluster_one_state_machine_one_task_definition(synthesized: Synthesized) -> None:
    profiler = synthesized.profiler
    profiler.has_resource_properties("AWS::ECS::Cluster", {"ClusterName": "profiler-cluster"})
    profiler.resource_count_is("AWS::ECS::Cluster", 1)
    profiler.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    task = one(profiler, "AWS::ECS::TaskDefinition")["Properties"]
    assert (task["Cpu"], task["Memory"]) == ("2048", "8192")
    assert task["RequiresCompatibilities"] == ["FARGATE"]
    assert task["NetworkMode"] == "awsvpc"
    [container] = task["ContainerDefinitions"]
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"


def test_every_log_group_has_a_retention(synthesized: Synthesized) -> None:
    groups = resources(synthesized.profiler, "AWS::Logs::LogGroup")
    assert len(groups) == 2  # the task's and the workflow's
    assert all(g["Properties"]["RetentionInDays"] == 30 for g in groups.values())


def test_security_group_lets_nothing_in_and_only_https_out(synthesized: Synthesized) -> None:
    group = one(synthesized.profiler, "AWS::EC2::SecurityGroup")["Properties"]
    assert "SecurityGroupIngress" not in group
    [egress] = group["SecurityGroupEgress"]
    assert {k: v for k, v in egress.items() if k != "Description"} == {
        "CidrIp": "0.0.0.0/0",
        "FromPort": 443,
        "IpProtocol": "tcp",
        "ToPort": 443,
    }
    synthesized.profiler.resource_count_is("AWS::EC2::SecurityGroupEgress", 0)
    synthesized.profiler.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)


def test_results_bucket_is_private_encrypted_tls_only(synthesized: Synthesized) -> None:
    data = synthesized.data
    bucket = one(data, "AWS::S3::Bucket")["Properties"]
    assert bucket["BucketName"] == {
        "Fn::Join": [
            "",
            ["profile-results-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}],
        ]
    }
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    policy = one(data, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"]
    [deny] = policy["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_results_age_to_infrequent_access_then_expire(synthesized: Synthesized) -> None:
    bucket = one(synthesized.data, "AWS::S3::Bucket")["Properties"]
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["Transitions"] == [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}]
    assert rule["ExpirationInDays"] == 365


def test_bucket_arn_crosses_stacks_through_a_named_export(synthesized: Synthesized) -> None:
    outputs = synthesized.data.find_outputs("*")
    exported = {o["Export"]["Name"]: o["Value"] for o in outputs.values() if "Export" in o}
    [(bucket_id, _)] = resources(synthesized.data, "AWS::S3::Bucket").items()
    assert exported == {RESULTS_BUCKET_ARN_EXPORT: {"Fn::GetAtt": [bucket_id, "Arn"]}}
    text = str(synthesized.profiler_json)
    assert str({"Fn::ImportValue": RESULTS_BUCKET_ARN_EXPORT}) in text
    artifacts = synthesized.manifest["artifacts"]
    assert "DataprofData" in artifacts["DataprofProfiler"]["dependencies"]


def test_image_is_built_from_the_repository_with_the_infra_dockerfile(
    synthesized: Synthesized,
) -> None:
    assets = json.loads((synthesized.outdir / "DataprofProfiler.assets.json").read_text())
    [image] = assets["dockerImages"].values()
    assert image["source"]["dockerFile"] == "infra/Dockerfile"
    staged = synthesized.outdir / image["source"]["directory"]
    assert (staged / "packages" / "dataprof-core" / "pyproject.toml").is_file()
    assert (staged / "infra" / "Dockerfile").is_file()
    for excluded in (".git", ".nox", ".venv", "node_modules", "bench-data", "dataprof-demo"):
        assert excluded in IMAGE_EXCLUDES
        assert not (staged / excluded).exists()
    assert not (staged / "infra" / "cdk.out").exists()

"""What infra/template.json promises: kept data, reliable mail, least privilege, alarms that
reach a person, logs that expire, and no secret in any function's configuration.

The first tests read the merge template itself; the rest read what `make package` deploys
(Chalice's template with ours merged in, `dist/sam.json`), built afresh for this module.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.api.responses import RETRY_AFTER_SECONDS
from tests.factories import PROJECT_DIR

TEMPLATE = json.loads((PROJECT_DIR / "infra" / "template.json").read_text(encoding="utf-8"))
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = ("APIHandler", "Mail", "Due", "Feedback")
ALERTS = {"Ref": "AlertTopic"}


def statements(resources=RESOURCES):
    for name, resource in resources.items():
        if resource.get("Type") == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield name, statement


def role_of(resources, function):
    [name] = resources[function]["Properties"]["Role"]["Fn::GetAtt"][:1]
    return name


def of_type(resources, kind):
    return {name: resource for name, resource in resources.items() if resource.get("Type") == kind}


@pytest.fixture(scope="module")
def sam(tmp_path_factory):
    """The deployed template: `chalice package` as `make package` runs it, into a fresh folder."""
    out = tmp_path_factory.mktemp("package")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(out)),
        "AWS_DEFAULT_REGION": "eu-central-1",
        "LINK_SECRET": "packaging-placeholder-never-deployed-anywhere",
    }
    chalice = str(Path(sys.executable).parent / "chalice")
    command = [chalice, "package", "--stage", "prod", "--merge-template", "infra/template.json", str(out)]
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "sam.json").read_text(encoding="utf-8"))["Resources"]


# --- the merge template -----------------------------------------------------------------------
def test_the_table_outlives_the_stack_and_keeps_history():
    table = RESOURCES["RegistrationsTable"]
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_failed_mail_batches_are_retried_then_dead_lettered():
    mapping = RESOURCES["MailStreamMapping"]["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["MailDeadLetters", "Arn"]}
    assert 0 < mapping["MaximumRetryAttempts"] <= 10_000
    pattern = json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern["dynamodb"]["Keys"]["sk"]["S"] == [{"prefix": "registration#"}]


@pytest.mark.parametrize(("role", "statement"), list(statements()))
def test_no_wildcard_action_and_no_wildcard_resource_without_a_condition(role, statement):
    assert all("*" not in action for action in statement["Action"]), (role, statement)
    if statement["Resource"] == "*":
        assert "Condition" in statement, (role, statement)


def test_each_function_has_its_own_role_and_mail_is_sent_only_as_the_sender():
    roles = {function: role_of(RESOURCES, function) for function in FUNCTIONS}
    assert roles == {"APIHandler": "ApiHandlerRole", "Mail": "MailRole", "Due": "DueRole", "Feedback": "FeedbackRole"}
    senders = {name: s for name, s in statements() if "ses:SendRawEmail" in s["Action"]}
    assert set(senders) == {"MailRole", "DueRole"}
    for ses in senders.values():
        assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}
    for name in ("ApiHandlerRole", "FeedbackRole"):
        actions = {a for role, s in statements() if role == name for a in s["Action"]}
        assert not any(a.startswith("ses:") for a in actions), name
    api_actions = {a for name, s in statements() if name == "ApiHandlerRole" for a in s["Action"]}
    assert not any(a.startswith(("sqs:", "sns:")) for a in api_actions)


@pytest.mark.parametrize("function", ["Mail", "Due"])
def test_mail_is_sent_with_the_configuration_set_it_may_use(function):
    variables = RESOURCES[function]["Properties"]["Environment"]["Variables"]
    assert variables["SES_CONFIGURATION_SET"] == {"Ref": "MailConfigurationSet"}
    # SendRawEmail with a configuration set is authorised on the set as well as on the identity.
    role = role_of(RESOURCES, function)
    [ses] = [s for name, s in statements() if name == role and "ses:SendRawEmail" in s["Action"]]
    resources = json.dumps(ses["Resource"])
    assert ":identity/*" in resources
    assert ":configuration-set/${MailConfigurationSet}" in resources


def test_gateway_errors_carry_cors_and_the_stage_is_throttled():
    for name in ("GatewayErrors4xx", "GatewayErrors5xx", "GatewayThrottled", "GatewayTooLarge"):
        parameters = RESOURCES[name]["Properties"]["ResponseParameters"]
        assert parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "method.request.header.Origin"
    throttled = RESOURCES["GatewayThrottled"]["Properties"]
    assert throttled["StatusCode"] == "503"
    # One fact in two places: the app's own 503 says the same.
    assert throttled["ResponseParameters"]["gatewayresponse.header.Retry-After"] == f"'{RETRY_AFTER_SECONDS}'"
    assert '"error": "unavailable"' in throttled["ResponseTemplates"]["application/json"]
    [settings] = RESOURCES["RestAPI"]["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}


def test_the_alert_address_and_the_log_retention_are_parameters():
    parameters = TEMPLATE["Parameters"]
    assert "Default" not in parameters["AlertEmail"]  # required: nobody deploys without being told
    retention = parameters["LogRetentionDays"]
    assert retention["Default"] in retention["AllowedValues"]
    assert {1, 30, 365, 3653} <= set(retention["AllowedValues"])


# --- what is deployed (Chalice's template with ours merged) ----------------------------------
def test_every_function_is_configured_by_the_template(sam):
    functions = of_type(sam, "AWS::Serverless::Function")
    assert set(functions) == set(FUNCTIONS)
    feedback = functions["Feedback"]["Properties"]
    assert feedback["Handler"] == "app.handle_ses_feedback"
    assert (feedback["MemorySize"], feedback["Timeout"]) == (256, 30)
    assert feedback["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["FeedbackDeadLetters", "Arn"]}}
    for name, function in functions.items():
        assert function["Properties"]["Role"] == {"Fn::GetAtt": [role_of(sam, name), "Arn"]}


def test_no_function_environment_holds_a_secret(sam):
    granted = {role: s["Resource"] for role, s in statements(sam) if "secretsmanager:GetSecretValue" in s["Action"]}
    for name, function in of_type(sam, "AWS::Serverless::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert "LINK_SECRET" not in variables, name
        assert "resolve:secretsmanager" not in json.dumps(variables), name
        assert "resolve:ssm-secure" not in json.dumps(variables), name
        if name == "Feedback":  # signs no link: it is not given the secret at all
            assert "LINK_SECRET_ARN" not in variables
            assert role_of(sam, name) not in granted
            continue
        assert variables["LINK_SECRET_ARN"] == {"Ref": "LinkSecret"}, name
        assert granted[role_of(sam, name)] == {"Ref": "LinkSecret"}, name  # that one secret, nothing else


def test_the_functions_that_alert_may_publish_to_the_alert_topic(sam):
    publishers = {role for role, s in statements(sam) if s["Action"] == ["sns:Publish"] and s["Resource"] == ALERTS}
    for name in ("Mail", "Due", "Feedback"):
        assert sam[name]["Properties"]["Environment"]["Variables"]["ALERT_TOPIC_ARN"] == ALERTS
        assert role_of(sam, name) in publishers
    assert "ApiHandlerRole" not in publishers


def test_each_function_logs_to_its_own_group_that_expires(sam):
    groups = of_type(sam, "AWS::Logs::LogGroup")
    for name in FUNCTIONS:
        function = sam[name]
        assert function["Properties"]["FunctionName"] == {"Fn::Sub": f"${{AWS::StackName}}-{name}"}
        [group] = [
            g
            for g, r in groups.items()
            if r["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{AWS::StackName}}-{name}"}
        ]
        # The group exists before the function can write (Lambda would make one that never expires).
        assert group in function["DependsOn"]
        logs = [s for role, s in statements(sam) if role == role_of(sam, name) and s["Sid"] == "OwnLogs"]
        assert [s["Resource"] for s in logs] == [{"Fn::GetAtt": [group, "Arn"]}]
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_every_alarm_mails_the_alert_topic(sam):
    alarms = of_type(sam, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 10
    for name, alarm in alarms.items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [ALERTS], name
        assert properties.get("OKActions", [ALERTS]) == [ALERTS], name
        assert properties["TreatMissingData"] == "notBreaching", name
        description = properties["AlarmDescription"]
        assert 40 < len(description) <= 1024, name
        assert "\n" not in description, name
        assert properties["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", name


def _watched(sam):
    """(namespace, metric, dimensions) -> threshold, for every alarm on a single metric."""
    watched = {}
    for alarm in of_type(sam, "AWS::CloudWatch::Alarm").values():
        p = alarm["Properties"]
        if "MetricName" in p:
            dimensions = json.dumps({d["Name"]: d["Value"] for d in p.get("Dimensions", [])}, sort_keys=True)
            watched[(json.dumps(p["Namespace"]), p["MetricName"], dimensions)] = p["Threshold"]
    return watched


def _key(namespace, metric, **dimensions):
    return (json.dumps(namespace), metric, json.dumps(dimensions, sort_keys=True))


def test_the_alarms_watch_what_issue_11_names(sam):
    api = sam["RestAPI"]["Properties"]
    api_name, stage = api["DefinitionBody"]["info"]["title"], api["StageName"]  # API Gateway's ApiName
    watched = _watched(sam)
    queue = {"Fn::GetAtt": ["MailDeadLetters", "QueueName"]}
    assert watched[_key("AWS/SQS", "ApproximateNumberOfMessagesVisible", QueueName=queue)] == 1
    assert watched[_key("AWS/Lambda", "Errors", FunctionName={"Ref": "Mail"})] == 1
    assert watched[_key("AWS/Lambda", "Errors", FunctionName={"Ref": "Feedback"})] == 1
    assert watched[_key("AWS/Lambda", "Errors", FunctionName={"Ref": "Due"})] == 1
    assert watched[_key("AWS/ApiGateway", "5XXError", ApiName=api_name, Stage=stage)] == 1
    assert watched[_key("AWS/Lambda", "Throttles", FunctionName={"Ref": "APIHandler"})] == 1
    assert watched[_key("AWS/SES", "Reputation.BounceRate")] == 0.05
    assert watched[_key("AWS/SES", "Reputation.ComplaintRate")] == 0.001
    feedback_queue = {"Fn::GetAtt": ["FeedbackDeadLetters", "QueueName"]}
    assert watched[_key("AWS/SQS", "ApproximateNumberOfMessagesVisible", QueueName=feedback_queue)] == 1


def test_dynamodb_throttling_on_the_table_alarms(sam):
    [alarm] = [a["Properties"] for a in of_type(sam, "AWS::CloudWatch::Alarm").values() if "Metrics" in a["Properties"]]
    stats = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
    assert {m["MetricName"] for m in stats} == {"ReadThrottleEvents", "WriteThrottleEvents"}
    for metric in stats:
        assert metric["Namespace"] == "AWS/DynamoDB"
        assert metric["Dimensions"] == [{"Name": "TableName", "Value": {"Ref": "RegistrationsTable"}}]
    [returned] = [m for m in alarm["Metrics"] if m["ReturnData"]]
    assert {m["Id"] for m in alarm["Metrics"] if "MetricStat" in m} == {"reads", "writes"}
    assert returned["Expression"] == "FILL(reads, 0) + FILL(writes, 0)"  # one kind alone still counts
    assert alarm["Threshold"] == 1


def test_throttling_at_the_gateway_is_counted_from_the_access_log(sam):
    """The stage's throttled answers (503 by GatewayThrottled) count as 4XXError, mixed with the
    API's own 4xx: the access log names them, a metric filter counts them, an alarm watches."""
    access = sam["RestAPI"]["Properties"]["AccessLogSetting"]
    assert access["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(access["Format"])
    assert fields["responseType"] == "$context.error.responseType"
    assert not any("sourceIp" in value or "identity" in value for value in fields.values())  # no personal data
    [metric_filter] = of_type(sam, "AWS::Logs::MetricFilter").values()
    properties = metric_filter["Properties"]
    assert properties["LogGroupName"] == {"Ref": "ApiAccessLogGroup"}
    assert properties["FilterPattern"] == '{ $.responseType = "THROTTLED" }'
    [metric] = properties["MetricTransformations"]
    assert _key(metric["MetricNamespace"], metric["MetricName"]) in _watched(sam)


def test_the_alert_subscription_mails_the_alert_address(sam):
    [subscription] = [
        s for s in of_type(sam, "AWS::SNS::Subscription").values() if s["Properties"]["TopicArn"] == ALERTS
    ]
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlertEmail"}
    assert sam["AlertTopic"]["Type"] == "AWS::SNS::Topic"


def test_bounces_and_complaints_reach_the_feedback_function(sam):
    [destination] = of_type(sam, "AWS::SES::ConfigurationSetEventDestination").values()
    properties = destination["Properties"]
    assert properties["ConfigurationSetName"] == {"Ref": "MailConfigurationSet"}
    assert sam["MailConfigurationSet"]["Type"] == "AWS::SES::ConfigurationSet"
    event_destination = properties["EventDestination"]
    assert event_destination["Enabled"] is True
    assert sorted(event_destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    topic = event_destination["SnsDestination"]["TopicARN"]
    assert topic == {"Ref": "SesFeedbackTopic"}
    # SES of this account (and only it) may publish to the topic, before the destination exists.
    [policy] = [
        p["Properties"] for p in of_type(sam, "AWS::SNS::TopicPolicy").values() if topic in p["Properties"]["Topics"]
    ]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert "SesFeedbackTopicPolicy" in destination["DependsOn"]
    # The topic is subscribed by the feedback function, which SNS may invoke.
    [subscription] = [
        s["Properties"] for s in of_type(sam, "AWS::SNS::Subscription").values() if s["Properties"]["TopicArn"] == topic
    ]
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["Feedback", "Arn"]}
    [permission] = [
        p["Properties"]
        for p in of_type(sam, "AWS::Lambda::Permission").values()
        if p["Properties"].get("SourceArn") == topic
    ]
    assert permission["FunctionName"] == {"Ref": "Feedback"}
    assert permission["Principal"] == "sns.amazonaws.com"


def test_the_feedback_role_is_least_privilege(sam):
    actions = {a for role, s in statements(sam) if role == "FeedbackRole" for a in s["Action"]}
    assert actions == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "sns:Publish",
        "sqs:SendMessage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }


def test_the_due_function_runs_every_15_minutes_with_the_mail_settings(sam):
    due = sam["Due"]["Properties"]
    assert due["Handler"] == "app.send_due"
    [schedule] = due["Events"].values()
    assert schedule == {"Type": "Schedule", "Properties": {"Schedule": "rate(15 minutes)"}}
    variables = due["Environment"]["Variables"]
    # Reminders carry a cancel link: the API's address, and the secret that signs it.
    assert variables["PUBLIC_API_URL"] == sam["Mail"]["Properties"]["Environment"]["Variables"]["PUBLIC_API_URL"]
    assert variables["TABLE_NAME"] == {"Ref": "RegistrationsTable"}
    assert variables["SENDER_EMAIL"] == {"Ref": "SenderEmail"}
    assert 60 <= due["Timeout"] <= 300


def test_the_due_role_is_least_privilege(sam):
    actions = {a for role, s in statements(sam) if role == "DueRole" for a in s["Action"]}
    assert actions == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "ses:SendRawEmail",
        "sns:Publish",
        "secretsmanager:GetSecretValue",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    table = {"Fn::GetAtt": ["RegistrationsTable", "Arn"]}
    assert all(
        s["Resource"] == table for role, s in statements(sam) if role == "DueRole" and "dynamodb:Scan" in s["Action"]
    )


def test_the_functions_that_claim_mails_may_check_a_condition_in_a_transaction():
    # A mail claim is a transaction with a ConditionCheck that its registration (or event) still
    # exists; DynamoDB authorises that action as dynamodb:ConditionCheckItem.
    for function in ("Mail", "Due"):
        role = role_of(RESOURCES, function)
        actions = {a for name, s in statements() if name == role for a in s["Action"]}
        assert "dynamodb:ConditionCheckItem" in actions, function

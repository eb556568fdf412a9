"""What infra/template.json promises: kept data, reliable mail, least privilege."""

import json

import pytest

from tests.factories import PROJECT_DIR

TEMPLATE = json.loads((PROJECT_DIR / "infra" / "template.json").read_text(encoding="utf-8"))
RESOURCES = TEMPLATE["Resources"]


def statements():
    for name, resource in RESOURCES.items():
        if resource.get("Type") == "AWS::IAM::Role":
            for policy in resource["Properties"]["Policies"]:
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield name, statement


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
    assert RESOURCES["APIHandler"]["Properties"]["Role"] == {"Fn::GetAtt": ["ApiHandlerRole", "Arn"]}
    assert RESOURCES["Mail"]["Properties"]["Role"] == {"Fn::GetAtt": ["MailRole", "Arn"]}
    [ses] = [s for name, s in statements() if "ses:SendRawEmail" in s["Action"]]
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}
    api_actions = {a for name, s in statements() if name == "ApiHandlerRole" for a in s["Action"]}
    assert not any(a.startswith(("ses:", "sqs:")) for a in api_actions)


def test_the_link_secret_is_a_reference_never_a_value():
    for function in ("APIHandler", "Mail"):
        secret = RESOURCES[function]["Properties"]["Environment"]["Variables"]["LINK_SECRET"]
        assert secret == {"Fn::Sub": "{{resolve:secretsmanager:${LinkSecret}:SecretString}}"}


def test_gateway_errors_carry_cors_and_the_stage_is_throttled():
    for name in ("GatewayErrors4xx", "GatewayErrors5xx", "GatewayThrottled", "GatewayTooLarge"):
        parameters = RESOURCES[name]["Properties"]["ResponseParameters"]
        assert parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "method.request.header.Origin"
    throttled = RESOURCES["GatewayThrottled"]["Properties"]
    assert throttled["StatusCode"] == "503"
    assert throttled["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'5'"
    assert '"error": "unavailable"' in throttled["ResponseTemplates"]["application/json"]
    [settings] = RESOURCES["RestAPI"]["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}

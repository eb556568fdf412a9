"""The embedded AWS keeps DynamoDB's all-or-nothing transactions (devstack/moto_transactions.py)."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

import pytest
from botocore.exceptions import ClientError

from devstack.mailbox import MailPrinter, sent_mails
from tests.e2e.helpers import mails_to, mails_to_organiser_about, post, registrations_url, unique_address
from tests.factories import submission


def stream_records(stack):
    dynamodb = stack.aws_client("dynamodb")
    streams = stack.aws_client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=stack.environment["TABLE_NAME"])["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]


def test_a_cancelled_transaction_leaves_no_item_and_no_stream_record(stack):
    table = stack.environment["TABLE_NAME"]
    dynamodb = stack.aws_client("dynamodb")
    dynamodb.put_item(TableName=table, Item={"event_id": {"S": "tx-test"}, "sk": {"S": "existing"}, "n": {"N": "1"}})
    before = len(stream_records(stack))
    with pytest.raises(ClientError) as info:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"event_id": {"S": "tx-test"}, "sk": {"S": "new-1"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"event_id": {"S": "tx-test"}, "sk": {"S": "existing"}},
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"event_id": {"S": "tx-test"}, "sk": {"S": "new-2"}},
                        "ConditionExpression": "attribute_exists(sk)",
                    }
                },
            ]
        )
    reasons = [r["Code"] for r in info.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    items = dynamodb.query(
        TableName=table,
        KeyConditionExpression="event_id = :e",
        ExpressionAttributeValues={":e": {"S": "tx-test"}},
    )["Items"]
    assert [(i["sk"]["S"], i["n"]["N"]) for i in items] == [("existing", "1")]
    assert len(stream_records(stack)) == before


def test_a_transaction_sent_again_with_its_token_is_done_once(stack):
    """As DynamoDB: the SDK's retry of a committed request (its answer was lost) is answered
    as a success and writes nothing; the token with other parameters is refused."""
    table = stack.environment["TABLE_NAME"]
    dynamodb = stack.aws_client("dynamodb")
    key = {"event_id": {"S": "tx-test"}, "sk": {"S": f"token-{uuid.uuid4().hex}"}}

    def add(amount, token):
        update = {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "ADD n :amount",
            "ExpressionAttributeValues": {":amount": {"N": str(amount)}},
        }
        return dynamodb.transact_write_items(TransactItems=[{"Update": update}], ClientRequestToken=token)

    token = str(uuid.uuid4())
    add(1, token)
    add(1, token)  # the retry
    assert dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["n"] == {"N": "1"}
    with pytest.raises(ClientError) as info:
        add(5, token)
    assert info.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    add(1, str(uuid.uuid4()))  # another request
    assert dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["n"] == {"N": "2"}


def test_a_cancelled_transaction_may_be_sent_again_with_its_token(stack):
    table = stack.environment["TABLE_NAME"]
    dynamodb = stack.aws_client("dynamodb")
    key = {"event_id": {"S": "tx-test"}, "sk": {"S": f"token-{uuid.uuid4().hex}"}}
    put = {"Put": {"TableName": table, "Item": key, "ConditionExpression": "attribute_exists(sk)"}}
    token = str(uuid.uuid4())
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[put], ClientRequestToken=token)
    dynamodb.put_item(TableName=table, Item=key)  # now the condition holds
    dynamodb.transact_write_items(TransactItems=[put], ClientRequestToken=token)  # executed, not "done"


def test_mails_are_read_after_a_count_and_the_printer_prints_each_once(stack):
    before = sent_mails(stack.aws_url)
    printed = []
    printer = MailPrinter(stack.aws_url, printed.append)
    printer.start()
    try:
        address = unique_address()
        post(registrations_url(stack), json.dumps(submission(email=address)).encode(), "application/json")
        assert mails_to(stack, address)
        assert mails_to_organiser_about(stack, address)
        new = sent_mails(stack.aws_url, after=len(before))
        assert {m["id"] for m in new}.isdisjoint(m["id"] for m in before)
        assert len([m for m in new if address in m["to"] + m["reply_to"]]) == 2
        deadline = time.monotonic() + 10
        while len([p for p in printed if address in p]) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len([p for p in printed if address in p]) == 2
        assert len(printed) == len(set(printed))  # nothing printed twice
    finally:
        printer.stop()


def test_the_embedded_aws_keeps_no_dashboard_copy_of_dynamodb_objects(stack):
    post(registrations_url(stack), json.dumps(submission(email=unique_address())).encode(), "application/json")
    with urllib.request.urlopen(f"{stack.aws_url}/moto-api/data.json", timeout=10) as response:
        dashboard = json.load(response)
    # moto kept every item version here, and re-serialised all of them on each read.
    assert all(instances == [] for instances in dashboard["dynamodb"].values())
    assert dashboard["ses"]["RawMessage"]  # other services are kept as before


def test_a_query_pages_through_its_partition_only(stack):
    table = stack.environment["TABLE_NAME"]
    dynamodb = stack.aws_client("dynamodb")
    mine, other = f"q-{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    for i in range(23):
        for partition in (mine, other):
            item = {"event_id": {"S": partition}, "sk": {"S": f"row#{i:02d}"}, "odd": {"BOOL": i % 2 == 1}}
            dynamodb.put_item(TableName=table, Item=item)
    request = {
        "TableName": table,
        "KeyConditionExpression": "event_id = :e AND begins_with(sk, :p)",
        "FilterExpression": "odd = :yes",
        "ExpressionAttributeValues": {":e": {"S": mine}, ":p": {"S": "row#"}, ":yes": {"BOOL": True}},
        "Limit": 5,
    }
    found = []
    while True:
        page = dynamodb.query(**request)
        found += [(i["event_id"]["S"], i["sk"]["S"]) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert found == [(mine, f"row#{i:02d}") for i in range(1, 23, 2)]

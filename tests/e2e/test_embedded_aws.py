"""The embedded AWS keeps DynamoDB's all-or-nothing transactions (devstack/moto_transactions.py)."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError


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

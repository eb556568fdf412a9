"""The embedded AWS keeps DynamoDB's all-or-nothing transactions (devstack/moto_transactions.py)."""

from __future__ import annotations

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

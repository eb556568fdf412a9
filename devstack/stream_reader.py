"""Reads a DynamoDB table's stream as Lambda's event source mapping would, and hands the
records to the mail function in Lambda's event shape (with its retry and dead-letter rules)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class StreamReader:
    """Every record written to `table_name` since the reader was made, shard by shard, in order."""

    def __init__(self, dynamodb: Any, streams: Any, table_name: str) -> None:
        self._streams = streams
        table = dynamodb.describe_table(TableName=table_name)["Table"]
        self.stream_arn = table["LatestStreamArn"]
        self.region = self.stream_arn.split(":")[3]
        self._iterators: dict[str, str] = {}

    def read(self) -> list[dict[str, Any]]:
        shards = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        records: list[dict[str, Any]] = []
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            response = self._streams.get_records(ShardIterator=self._iterators[shard_id], Limit=100)
            self._iterators[shard_id] = response["NextShardIterator"]
            records += response["Records"]
        return records

    def lambda_event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """The event Lambda passes a function for these records."""
        return {
            "Records": [
                {**r, "eventSource": "aws:dynamodb", "awsRegion": self.region, "eventSourceARN": self.stream_arn}
                for r in records
            ]
        }


def deliver(
    reader: StreamReader,
    handler: Handler,
    pending: list[dict[str, Any]],
    *,
    attempts: int = 1,
    backoff: Callable[[int], float] = lambda attempt: 0.0,
    dead_letter: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Invoke `handler` on `pending` records as Lambda would with ReportBatchItemFailures:
    a reported failure is retried from that record, up to `attempts` times; then the
    batch's description goes to `dead_letter` and the reader moves past it.
    Returns the records still pending (when no dead letter is configured)."""
    for attempt in range(attempts):
        if not pending:
            return []
        result = handler(reader.lambda_event(pending), None)
        failures = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
        if not failures:
            return []
        first = next(i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] in failures)
        pending = pending[first:]
        time.sleep(backoff(attempt))
    if dead_letter is not None and pending:
        dead_letter(
            json.dumps(
                {
                    "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
                    "DDBStreamBatchInfo": {
                        "streamArn": reader.stream_arn,
                        "startSequenceNumber": pending[0]["dynamodb"]["SequenceNumber"],
                        "endSequenceNumber": pending[-1]["dynamodb"]["SequenceNumber"],
                        "batchSize": len(pending),
                    },
                }
            )
        )
        return []
    return pending

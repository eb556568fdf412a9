"""The embedded AWS with `LOCAL_AWS_CONTENTION=on` contends as DynamoDB documents
(devstack/contention.py, docs/local-aws.md), pinned from the outside with a plain botocore
client: transactions on one item cancel each other, single-item writes queue, reads are not
refused, and calls are served in parallel."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zlib
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from devstack.contention import CONTENTION_PATH, SERVICE_TIMES, Contention
from devstack.stack import free_port, wait_for_http

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parents[2]
TABLE = "conformance"
REGION = "eu-central-1"
ONE = {":one": {"N": "1"}}


@pytest.fixture(scope="module")
def aws_url():
    with embedded_aws(LOCAL_AWS_CONTENTION="on") as url:
        yield url


@pytest.fixture(scope="module")
def throttled_aws_url():
    with embedded_aws(LOCAL_AWS_CONTENTION="on", LOCAL_AWS_THROTTLING="on") as url:
        yield url


@contextlib.contextmanager
def embedded_aws(**switches):
    """`python -m devstack.embedded_aws PORT` with the given switches, and the test table."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "devstack.embedded_aws", str(port)]
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env={**os.environ, **switches}, stdout=subprocess.DEVNULL)
    try:
        wait_for_http(f"{url}/moto-api/")
        client(url).create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "event_id", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "event_id", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def applied(url, item):
    """The item's new images in the order the table applied its writes (its stream)."""
    arn = client(url).describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    streams = client(url, service="dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    images = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        images += [record["dynamodb"]["NewImage"] for record in page["Records"] if record["dynamodb"]["Keys"] == item]
        iterator = page.get("NextShardIterator") if page["Records"] else None
    return images


def client(url, app="conformance", service="dynamodb"):
    """A plain client that makes each call once (botocore would retry TransactionInProgress and
    throttling), names itself `app` in its User-Agent, and has a connection per thread."""
    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=64, user_agent_appid=app)
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=config,
    )


def key(event_id, sk):
    return {"event_id": {"S": event_id}, "sk": {"S": sk}}


def add_one(item):
    return {"TableName": TABLE, "Key": item, "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": ONE}


def number(dynamodb, item, attribute="n"):
    found = dynamodb.get_item(TableName=TABLE, Key=item, ConsistentRead=True).get("Item", {})
    return int(found[attribute]["N"]) if attribute in found else 0


def at_once(calls):
    """Run the calls on threads released together; each result is ("ok", answer) or ("error", response)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = ("ok", call())
        except ClientError as error:
            results[index] = ("error", error.response)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def in_background(call):
    """Start `call` on a thread; the returned dict gets "outcome" and "ended" (monotonic)."""
    done = {}

    def run():
        try:
            call()
            done["outcome"] = "ok"
        except ClientError as error:
            done["outcome"] = error.response["Error"]["Code"]
        done["ended"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    done["thread"] = thread
    return done


def contention(url, app):
    with urllib.request.urlopen(f"{url}{CONTENTION_PATH}", timeout=10) as response:
        return json.load(response).get(app, {})


def codes(response):
    return [reason["Code"] for reason in response["CancellationReasons"]]


def test_transactions_on_one_item_cancel_each_other_and_the_winners_count_exactly(aws_url):
    dynamodb = client(aws_url)
    event = f"tx-{uuid.uuid4().hex[:8]}"
    counter = key(event, "counter")

    def transaction(i):
        own = {"Put": {"TableName": TABLE, "Item": key(event, f"own#{i:02d}")}}
        return lambda: dynamodb.transact_write_items(TransactItems=[{"Update": add_one(counter)}, own])

    results = at_once([transaction(i) for i in range(24)])

    succeeded = {i for i, (outcome, _) in enumerate(results) if outcome == "ok"}
    refused = [answer for outcome, answer in results if outcome == "error"]
    assert succeeded, "no transaction got through"
    assert refused, "24 transactions on one item at once were all serialised: none conflicted"
    assert {answer["Error"]["Code"] for answer in refused} == {"TransactionCanceledException"}
    assert all(codes(answer) == ["TransactionConflict", "None"] for answer in refused)
    assert number(dynamodb, counter) == len(succeeded)
    own = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="event_id = :e AND begins_with(sk, :own)",
        ExpressionAttributeValues={":e": {"S": event}, ":own": {"S": "own#"}},
        ConsistentRead=True,
    )["Items"]
    assert {item["sk"]["S"] for item in own} == {f"own#{i:02d}" for i in succeeded}


def test_single_item_updates_on_one_item_all_apply(aws_url):
    dynamodb = client(aws_url)
    counter = key(f"up-{uuid.uuid4().hex[:8]}", "counter")

    results = at_once([lambda: dynamodb.update_item(**add_one(counter))] * 24)

    assert [outcome for outcome, _ in results] == ["ok"] * 24
    assert number(dynamodb, counter) == 24


def test_a_write_on_an_item_a_transaction_holds_is_refused_with_transaction_conflict(aws_url):
    app = f"conflict-{uuid.uuid4().hex[:8]}"
    dynamodb = client(aws_url, app)
    item = key(f"hold-{uuid.uuid4().hex[:8]}", "counter")
    transactions = updates = conflicts = 0
    for _ in range(20):
        transaction = in_background(lambda: dynamodb.transact_write_items(TransactItems=[{"Update": add_one(item)}]))
        time.sleep(0.004)  # the transaction holds the item for 10-25 ms
        try:
            dynamodb.update_item(**add_one(item))
            updates += 1
        except ClientError as error:
            assert error.response["Error"]["Code"] == "TransactionConflictException"
            assert error.response["Error"]["Message"] == "Transaction is ongoing for the item"
            conflicts += 1
        transaction["thread"].join()
        assert transaction["outcome"] == "ok"  # a single write never cancels a transaction
        transactions += 1
        if conflicts >= 2:
            break
    assert conflicts, "no update met the transaction's hold"
    assert number(dynamodb, item) == transactions + updates
    assert contention(aws_url, app)["transaction_conflict_exceptions"] == conflicts


def test_single_item_puts_sent_one_after_another_end_with_the_last(aws_url):
    """Each put is sent 5 ms after the one before, while that one is still being served (4-10
    ms): none is refused, each is applied once, the last one sent is the value left. Which of two
    puts 5 ms apart reaches the server first can differ from the sending order when the machine
    is busy (thread scheduling), so a round whose last two swapped is sent again; the order of
    arrival itself is pinned in-process (test_single_writes_on_one_item_...)."""
    dynamodb = client(aws_url)

    def round_(item):
        spans = {}

        def put(value):
            started = time.monotonic()
            dynamodb.put_item(TableName=TABLE, Item={**item, "n": {"N": str(value)}})
            spans[value] = (started, time.monotonic())

        threads = []
        for value in range(12):
            threads.append(threading.Thread(target=put, args=(value,)))
            threads[-1].start()
            time.sleep(0.005)
        for thread in threads:
            thread.join()
        assert sorted(spans) == list(range(12)), "a put failed"
        assert any(spans[value][1] > spans[value + 1][0] for value in range(11)), "the puts did not overlap"
        assert sorted(int(image["n"]["N"]) for image in applied(aws_url, item)) == list(range(12))
        return number(dynamodb, item)

    lasts = []
    for _ in range(3):
        lasts.append(round_(key(f"order-{uuid.uuid4().hex[:8]}", "last")))
        if lasts[-1] == 11:
            break
    assert lasts[-1] == 11, lasts


def test_a_token_is_done_once_refused_while_in_progress_and_bound_to_its_parameters(aws_url):
    dynamodb = client(aws_url)
    item = key(f"token-{uuid.uuid4().hex[:8]}", "counter")

    def add(amount, token):
        update = {**add_one(item), "ExpressionAttributeValues": {":one": {"N": str(amount)}}}
        return dynamodb.transact_write_items(TransactItems=[{"Update": update}], ClientRequestToken=token)

    token = str(uuid.uuid4())
    add(1, token)
    add(1, token)  # after it succeeded: answered as done, nothing written
    assert number(dynamodb, item) == 1
    with pytest.raises(ClientError) as mismatch:
        add(5, token)
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"

    in_progress = 0
    for attempt in range(1, 11):
        repeated = str(uuid.uuid4())
        first = in_background(lambda token=repeated: add(1, token))
        time.sleep(0.003)
        second = in_background(lambda token=repeated: add(1, token))
        first["thread"].join()
        second["thread"].join()
        outcomes = sorted([first["outcome"], second["outcome"]])
        assert outcomes in (["TransactionInProgressException", "ok"], ["ok", "ok"])
        assert number(dynamodb, item) == 1 + attempt  # once per token, whichever answered
        in_progress += outcomes[0] == "TransactionInProgressException"
        if in_progress:
            break
    assert in_progress, "a repeat while the first was running was never refused"


def test_calls_are_served_in_parallel_and_reads_see_the_committed_value(aws_url):
    """moto's own work (about 3 ms a call here) is done one call at a time under the lock, and
    the client and HTTP cost a few ms more, so 16 short reads cannot beat 16 x 2 ms. What shows
    parallel service is that the calls' service times overlap: one after another, 16
    TransactWriteItems cost 16 x (overhead + 10-25 ms); at once, their overhead and about one
    service time. Reads are not held up by a transaction and see the committed value."""
    dynamodb = client(aws_url)
    event = f"par-{uuid.uuid4().hex[:8]}"

    def transactions(round_):
        items = [key(event, f"{round_}#{i:02d}") for i in range(16)]
        return [
            lambda item=item: dynamodb.transact_write_items(TransactItems=[{"Update": add_one(item)}]) for item in items
        ]

    started = time.monotonic()
    for call in transactions("one-by-one"):
        call()
    one_by_one = time.monotonic() - started
    rounds = []
    for round_ in range(3):
        started = time.monotonic()
        results = at_once(transactions(round_))
        rounds.append(time.monotonic() - started)
        assert [outcome for outcome, _ in results] == ["ok"] * 16
    fastest = SERVICE_TIMES["TransactWriteItems"][0]
    assert one_by_one - min(rounds) > 8 * fastest, f"at once {rounds}, one by one {one_by_one}"

    item = key(event, "value")
    dynamodb.put_item(TableName=TABLE, Item={**item, "n": {"N": "1"}})
    seen_while_held = []
    for attempt in range(10):
        update = {
            **add_one(item),
            "UpdateExpression": "SET n = :new",
            "ExpressionAttributeValues": {":new": {"N": "2"}},
        }
        transaction = in_background(
            lambda update=update: dynamodb.transact_write_items(TransactItems=[{"Update": update}])
        )
        time.sleep(0.003)
        read = dynamodb.get_item(TableName=TABLE, Key=item, ConsistentRead=True)
        read_at = time.monotonic()
        transaction["thread"].join()
        assert transaction["outcome"] == "ok"
        assert read["Item"]["n"]["N"] in ("1", "2")
        if read_at < transaction["ended"]:  # sent after the transaction, answered before it
            seen_while_held.append(read["Item"]["n"]["N"])
        assert number(dynamodb, item) == 2
        dynamodb.put_item(TableName=TABLE, Item={**item, "n": {"N": "1"}})
        if len(seen_while_held) >= 3 or (seen_while_held and attempt >= 5):
            break
    # A read the server answered after the commit may still reach this thread first (the
    # threads' clocks are the client's): so at least one, not every, saw the committed value.
    assert "1" in seen_while_held, f"no read was answered with the committed value while held: {seen_while_held}"


def test_the_contention_counters_count_conflicts_and_bill_write_units(aws_url):
    app = f"counted-{uuid.uuid4().hex[:8]}"
    dynamodb = client(aws_url, app)
    event = f"count-{uuid.uuid4().hex[:8]}"
    counter = key(event, "counter")

    def transaction(i):
        own = {"Put": {"TableName": TABLE, "Item": key(event, f"own#{i:02d}")}}
        return lambda: dynamodb.transact_write_items(TransactItems=[{"Update": add_one(counter)}, own])

    results = at_once([transaction(i) for i in range(12)])

    committed = sum(outcome == "ok" for outcome, _ in results)
    conflicted = sum(outcome == "error" and "TransactionConflict" in codes(answer) for outcome, answer in results)
    assert committed + conflicted == 12
    assert conflicted
    counted = contention(aws_url, app)
    assert counted["transaction_conflicts"] == conflicted
    # Committed: 2 items x 2 units (prepare and commit); cancelled at prepare: 2 items x 1 unit.
    assert counted["write_units"] == committed * 4 + conflicted * 2
    assert counted["throttles"] == counted["transaction_conflict_exceptions"] == 0


def test_a_burst_above_a_partitions_write_units_is_throttled(throttled_aws_url):
    app = f"throttled-{uuid.uuid4().hex[:8]}"
    dynamodb = client(throttled_aws_url, app)
    hot = f"hot-{uuid.uuid4().hex[:8]}"

    def big_transaction(i):  # 100 items in one partition: 200 write units
        puts = [{"Put": {"TableName": TABLE, "Item": key(hot, f"{i:02d}#{j:03d}")}} for j in range(100)]
        return lambda: dynamodb.transact_write_items(TransactItems=puts)

    def put(i):
        return lambda: dynamodb.put_item(TableName=TABLE, Item=key(hot, f"single#{i:02d}"))

    # 8 x 200 + 16 x 1 units at once: far above the 1,000 a partition serves in a second.
    results = at_once([big_transaction(i) for i in range(8)] + [put(i) for i in range(16)])

    refused = [answer for outcome, answer in results if outcome == "error"]
    transactions_refused = [answer for answer in refused if answer["Error"]["Code"] == "TransactionCanceledException"]
    puts_refused = [answer for answer in refused if answer["Error"]["Code"] != "TransactionCanceledException"]
    assert transactions_refused, "2,000 units at once on one partition were not throttled"
    assert all(set(codes(answer)) == {"ThrottlingError"} for answer in transactions_refused)
    for answer in puts_refused:
        assert answer["Error"]["Code"] == "ProvisionedThroughputExceededException"
        assert [reason["reason"] for reason in answer["ThrottlingReasons"]] == ["TableWriteKeyRangeThroughputExceeded"]
    assert contention(throttled_aws_url, app)["throttles"] == len(refused)
    # Another partition has its own units.
    dynamodb.put_item(TableName=TABLE, Item=key(f"cold-{uuid.uuid4().hex[:8]}", "single"))


# The rules, played in-process against a stand-in for moto, with the service times scripted
# and the sleeps gated: what timing over HTTP can show only now and then, shown every time.


class FakeMoto:
    """Answers every call with 200 `{}` and records what was applied, in order."""

    def __init__(self):
        self.applied = []

    def __call__(self, environ, start_response):
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        self.applied.append((environ["HTTP_X_AMZ_TARGET"].rpartition(".")[2], body))
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.0")])
        return [b"{}"]


class Scripted(random.Random):
    """Service times in the order the calls arrive, then none."""

    def __init__(self, *spans):
        super().__init__(0)
        self.spans = list(spans)

    def uniform(self, a, b):
        return self.spans.pop(0) if self.spans else 0.0


HOLD = 60.0  # a service time that lasts until the test opens the gate


class Gate:
    """The middleware's sleep: instant, except HOLD, which waits for `open()`."""

    def __init__(self):
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self, seconds):
        if seconds >= HOLD / 2:  # a cancelled transaction sleeps half its time
            self.entered.set()
            assert self.opened.wait(10)

    def open(self):
        self.opened.set()


def rules(*spans, throttling=False, clock=time.monotonic):
    gate = Gate()
    moto = FakeMoto()
    middleware = Contention(
        moto,
        throttling=throttling,
        rng=Scripted(*spans),
        sleep=gate,
        clock=clock,
        key_schema=lambda table: ("event_id", "sk"),
    )
    return middleware, moto, gate


def send(middleware, operation, request, app="rules"):
    body = json.dumps(request).encode()
    environ = {
        "PATH_INFO": "/",
        "REQUEST_METHOD": "POST",
        "HTTP_X_AMZ_TARGET": f"DynamoDB_20120810.{operation}",
        "HTTP_USER_AGENT": f"Botocore/1.0 app/{app}",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    answer = {}

    def start_response(status, headers):
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    data = b"".join(middleware(environ, start_response))
    assert answer["headers"].get("x-amz-crc32", str(zlib.crc32(data))) == str(zlib.crc32(data))
    return answer["status"], json.loads(data)


def counted(middleware, app="rules"):
    environ = {"PATH_INFO": CONTENTION_PATH, "REQUEST_METHOD": "GET"}
    return json.loads(b"".join(middleware(environ, lambda status, headers: None)))[app]


def put(sk):
    return {"Put": {"TableName": TABLE, "Item": key("rules", sk)}}


def test_a_held_transaction_refuses_transactions_and_writes_on_its_items_not_reads():
    middleware, moto, gate = rules(HOLD)
    first = {"TransactItems": [put("a"), {"Update": add_one(key("rules", "b"))}], "ClientRequestToken": "token-1"}
    answers = []
    holder = threading.Thread(target=lambda: answers.append(send(middleware, "TransactWriteItems", first)))
    holder.start()
    try:
        assert gate.entered.wait(10)  # holding a and b

        status, error = send(
            middleware,
            "TransactWriteItems",
            {"TransactItems": [put("c"), {"Update": add_one(key("rules", "b"))}]},
        )
        assert status == 400
        assert error["__type"] == "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
        assert error["CancellationReasons"] == [
            {"Code": "None"},
            {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
        ]
        assert error["Message"].endswith("[None, TransactionConflict]")
        status, error = send(middleware, "UpdateItem", add_one(key("rules", "a")))
        assert (status, error["__type"]) == (400, "com.amazonaws.dynamodb.v20120810#TransactionConflictException")
        assert send(middleware, "PutItem", {"TableName": TABLE, "Item": key("rules", "other")})[0] == 200
        assert send(middleware, "GetItem", {"TableName": TABLE, "Key": key("rules", "a")})[0] == 200
        status, error = send(
            middleware, "TransactGetItems", {"TransactItems": [{"Get": {"TableName": TABLE, "Key": key("rules", "a")}}]}
        )
        assert (status, [reason["Code"] for reason in error["CancellationReasons"]]) == (400, ["TransactionConflict"])
        status, error = send(middleware, "TransactWriteItems", first)
        assert (status, error["__type"]) == (400, "com.amazonaws.dynamodb.v20120810#TransactionInProgressException")
        assert [operation for operation, _ in moto.applied] == ["PutItem", "GetItem"]  # nothing refused reached moto
    finally:
        gate.open()
    holder.join(10)
    assert answers == [(200, {})]
    assert send(middleware, "TransactWriteItems", first)[0] == 200  # done: answered, no hold, not billed
    assert counted(middleware) == {
        "write_units": 2 * 2 + 2 * 1 + 1 + 1,  # committed, cancelled at prepare, refused at the item, the put
        "transaction_conflicts": 2,  # the TransactWriteItems and the TransactGetItems
        "transaction_conflict_exceptions": 1,
        "throttles": 0,
        "transactions_in_progress": 1,
    }


def test_single_writes_on_one_item_are_applied_in_order_of_arrival_and_never_refused():
    middleware, moto, gate = rules(HOLD)
    item = key("rules", "ordered")
    writes = [{"TableName": TABLE, "Item": {**item, "n": {"N": str(value)}}} for value in range(3)]
    threads = [threading.Thread(target=send, args=(middleware, "PutItem", writes[0]))]
    threads[0].start()
    assert gate.entered.wait(10)  # the first put is being served
    try:
        for write in writes[1:]:  # shorter service, arrived later: they wait their turn
            threads.append(threading.Thread(target=send, args=(middleware, "PutItem", write)))
            threads[-1].start()
            time.sleep(0.05)
        assert moto.applied == []
    finally:
        gate.open()
    for thread in threads:
        thread.join(10)
    assert [body["Item"]["n"]["N"] for _, body in moto.applied] == ["0", "1", "2"]
    assert counted(middleware)["write_units"] == 3


def test_a_partition_serves_a_thousand_write_units_a_second():
    now = [0.0]
    middleware, _, _ = rules(throttling=True, clock=lambda: now[0])
    hundred = {"TransactItems": [put(f"{i:03d}") for i in range(100)]}
    assert [send(middleware, "TransactWriteItems", hundred)[0] for _ in range(5)] == [200] * 5  # 5 x 200 units
    status, error = send(middleware, "TransactWriteItems", hundred)
    assert (status, {reason["Code"] for reason in error["CancellationReasons"]}) == (400, {"ThrottlingError"})
    status, error = send(middleware, "PutItem", {"TableName": TABLE, "Item": key("rules", "one-more")})
    assert (status, error["__type"]) == (400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException")
    assert error["ThrottlingReasons"][0]["reason"] == "TableWriteKeyRangeThroughputExceeded"
    assert send(middleware, "PutItem", {"TableName": TABLE, "Item": key("elsewhere", "one")})[0] == 200
    now[0] = 0.5  # half a second: 500 units again
    assert send(middleware, "PutItem", {"TableName": TABLE, "Item": key("rules", "one-more")})[0] == 200
    assert counted(middleware) == {
        "write_units": 5 * 200 + 2,  # throttled calls are not billed
        "transaction_conflicts": 0,
        "transaction_conflict_exceptions": 0,
        "throttles": 2,
        "transactions_in_progress": 0,
    }

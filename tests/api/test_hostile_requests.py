"""Whatever a client sends, the app answers with a defined status and shape: never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.api.responses import STATUS
from devstack.demo_event import DEMO_EVENT_ID
from tests.factories import SEED_EVENT_ID
from tests.strategies import CONTENT_TYPES, examples

ACCEPTS = st.sampled_from([None, "application/json", "text/html", "*/*", "application/json;q=0.1, text/html"])
PATHS = st.sampled_from([f"/events/{SEED_EVENT_ID}/registrations", f"/events/{DEMO_EVENT_ID}/registrations"])
DEFINED = {201, 303} | set(STATUS.values()) - {500}


@settings(max_examples=examples(150), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode),
    content_type=CONTENT_TYPES,
    accept=ACCEPTS,
    path=PATHS,
    open_window=st.booleans(),
)
def test_any_post_gets_a_defined_answer(client, clock, raw, content_type, accept, path, open_window):
    from tests.factories import berlin

    clock.now = berlin(2016, 11, 10, 12) if open_window else berlin(2016, 11, 20, 12)
    headers = {k: v for k, v in {"Content-Type": content_type, "Accept": accept}.items() if v is not None}
    response = client.http.post(path, headers=headers, body=raw)
    assert response.status_code in DEFINED
    if response.headers.get("Content-Type", "").startswith("application/json"):
        answer = json.loads(response.body)
        assert set(answer) >= ({"registration_id", "status"} if response.status_code == 201 else {"error", "message"})
    else:
        assert response.status_code == 303 or response.body.startswith(b"<!doctype html>")

"""POST /events/{id}/registrations through the real app, with DynamoDB and SES mocked by moto."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError

import app as app_module
from chalicelib.api.responses import RETRY_AFTER_SECONDS
from tests.api.conftest import all_items, organiser_mails, registration_items, reload_events, sent_mails, text_of
from tests.factories import SEED_EVENT_ID, berlin, event, submission

PATH = f"/events/{SEED_EVENT_ID}/registrations"
NAMES = {"given_name": "Jürgen Nguyễn", "family_name": "Анна محمد"}


def test_a_json_registration_is_stored_and_mailed_to_the_organiser(api, store):
    answer = api.send(submission())
    assert answer.status == 201
    assert answer.body["status"] == "confirmed"
    assert answer.body["event_id"] == SEED_EVENT_ID

    [item] = registration_items(store)
    assert item["registration_id"] == answer.body["registration_id"]
    assert item["email"] == "p.choudhary@example.org"
    assert item["status"] == "confirmed"
    assert item["registered_at"] == "2016-11-10T11:00:00.000Z"
    assert item["consent_at"] == item["registered_at"]
    assert item["organisation_type"] == "Kommune"
    assert item["department"] == "Integration"
    assert item["expires_at"] > 0

    [mail] = organiser_mails()
    assert mail["To"] == "pukhraj.choudhary@engagement-global.de"
    assert mail["Reply-To"] == "p.choudhary@example.org"
    assert "Pukhraj Choudhary" in str(mail["Subject"])


def _multipart(document: dict) -> tuple[bytes, str]:
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{"on" if v is True else v}\r\n'
        for k, v in document.items()
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("encoding", ["urlencoded", "urlencoded+charset", "multipart", "json", "json+charset"])
def test_every_body_type_carries_names_in_any_script_unchanged(client, store, encoding):
    document = submission(**NAMES)
    if encoding.startswith("urlencoded"):
        body = urlencode({k: ("on" if v is True else v) for k, v in document.items()}).encode()
        content_type = "application/x-www-form-urlencoded" + ("; charset=UTF-8" if "charset" in encoding else "")
    elif encoding == "multipart":
        body, content_type = _multipart(document)
    else:
        body = json.dumps(document, ensure_ascii=False).encode()
        content_type = "application/json" + ("; charset=utf-8" if "charset" in encoding else "")
    response = client.http.post(PATH, headers={"Content-Type": content_type, "Accept": "application/json"}, body=body)
    assert response.status_code == 201, response.body
    [item] = registration_items(store)
    assert (item["given_name"], item["family_name"]) == (NAMES["given_name"], NAMES["family_name"])
    [mail] = organiser_mails()
    assert "Jürgen Nguyễn Анна محمد" in str(mail["Subject"])
    body = text_of(mail)
    assert "Vorname: Jürgen Nguyễn" in body
    assert "Nachname: Анна محمد" in body


# --- every row of the status table, in JSON and browser mode -------------------------------------

REDIRECTS = {
    "success": "https://ngo.example/danke",
    "closed": "https://ngo.example/geschlossen",
    "full": "https://ngo.example/ausgebucht",
    "error": "https://ngo.example/fehler",
}


def _arrange(case, api, store, clock, redirects):
    """Set the world up for `case`; return (body, content_type, path)."""
    if redirects:
        reload_events(store, event(redirects=REDIRECTS))
    form = urlencode({k: ("on" if v is True else v) for k, v in submission().items()}).encode()
    ctype = "application/x-www-form-urlencoded"
    if case == "malformed":
        return b"given_name=%FF%FE", ctype, PATH
    if case == "registration_closed":
        clock.now = berlin(2016, 11, 18, 0, 0)
    if case == "registration_not_open":
        store.event_rows.save(
            [event(registration_opens_at="2016-11-11T09:00:00", redirects=REDIRECTS if redirects else {})]
        )
    if case == "unknown_event":
        return form, ctype, "/events/no-such-event/registrations"
    if case == "already_registered":  # an earlier, different registration of the same address
        assert api.send(submission(given_name="Früher"), form=True).status in (201, 303)
    if case == "event_full":
        reload_events(store, event(capacity=1, redirects=REDIRECTS if redirects else {}))
        assert api.send(submission(email="first@example.org"), form=True).status in (201, 303)
    if case == "payload_too_large":
        return form + b"&message=" + b"x" * 70_000, ctype, PATH
    if case == "unsupported_media_type":
        return b"given_name=A", "text/plain", PATH
    if case == "invalid":
        return urlencode({"given_name": "A"}).encode(), ctype, PATH
    return form, ctype, PATH


STATUS_TABLE = [
    ("malformed", 400, "error"),
    ("registration_closed", 403, "closed"),
    ("registration_not_open", 403, "closed"),
    ("unknown_event", 404, None),
    ("already_registered", 409, "error"),
    ("event_full", 409, "full"),
    ("payload_too_large", 413, "error"),
    ("unsupported_media_type", 415, "error"),
    ("invalid", 422, "error"),
]


@pytest.mark.parametrize(("case", "status", "_"), STATUS_TABLE)
def test_json_mode_answers_each_refusal_with_its_code(api, client, store, clock, case, status, _):
    body, ctype, path = _arrange(case, api, store, clock, redirects=False)
    before = len(all_items(store))
    response = client.http.post(path, headers={"Content-Type": ctype, "Accept": "application/json"}, body=body)
    assert response.status_code == status
    answer = json.loads(response.body)
    assert answer["error"] == case
    assert answer["message"]
    assert len(all_items(store)) == before  # nothing half-stored


@pytest.mark.parametrize(("case", "status", "_"), STATUS_TABLE)
def test_browser_mode_without_redirects_answers_an_html_page(api, client, store, clock, case, status, _):
    body, ctype, path = _arrange(case, api, store, clock, redirects=False)
    response = client.http.post(path, headers={"Content-Type": ctype, "Accept": "text/html"}, body=body)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert page.startswith("<!doctype html>")
    assert '<html lang="de">' in page
    assert "Zurück zum Formular" in page


@pytest.mark.parametrize(("case", "status", "target"), STATUS_TABLE)
def test_browser_mode_with_redirects_sends_303_to_the_outcomes_page(api, client, store, clock, case, status, target):
    body, ctype, path = _arrange(case, api, store, clock, redirects=True)
    response = client.http.post(path, headers={"Content-Type": ctype, "Accept": "text/html"}, body=body)
    if target is None:  # an unknown event has no redirects to follow
        assert response.status_code == 404
        return
    assert response.status_code == 303
    assert response.headers["Location"] == f"{REDIRECTS[target]}?status={case}"


def test_browser_mode_success_redirects_and_pages(api, store):
    assert api.send(submission(), form=True).status == 201
    reload_events(store, event(redirects=REDIRECTS))
    answer = api.send(submission(email="other@example.org"), form=True)
    assert answer.status == 303
    assert answer.headers["location"] == "https://ngo.example/danke?status=confirmed"


def test_a_422_lists_every_bad_field_in_german_and_in_english(api):
    bad = {"given_name": "", "email": "nope", "organisation_type": "Königreich", "colour": "blau"}
    german = api.send(bad).body
    english = api.send({**bad, "lang": "en"}).body
    fields = ["given_name", "family_name", "email", "consent", "organisation_type", "colour"]
    for answer in (german, english):
        assert answer["error"] == "invalid"
        assert [e["field"] for e in answer["errors"]] == fields
    assert german["errors"][4] == {
        "field": "organisation_type",
        "code": "invalid_choice",
        "message": "Art der Organisation: Bitte wählen Sie einen der angebotenen Werte.",
    }
    assert english["errors"][4]["message"] == "Type of organisation: Please choose one of the values offered."
    assert english["errors"][5]["code"] == "unknown_field"
    by_header = api.send(bad, **{"Accept-Language": "en-GB,en;q=0.9"}).body
    assert by_header["message"] == "Please check your entries."


# --- duplicates, bots, injection ----------------------------------------------------------------


def test_the_same_address_in_any_case_is_refused_with_one_item_and_one_mail(api, store):
    assert api.send(submission(email="Lisa@Example.org")).status == 201
    again = api.send(submission(email="lisa@EXAMPLE.ORG", given_name="Lisa2"))
    assert again.status == 409
    assert again.body["error"] == "already_registered"
    assert len(registration_items(store)) == 1
    assert len(organiser_mails()) == 1


def test_a_filled_honeypot_looks_accepted_but_stores_and_sends_nothing(api, store):
    before = all_items(store)
    answer = api.send(submission(website="http://spam.example"), form=True, Accept="application/json")
    assert answer.status == 201
    assert answer.body["status"] == "confirmed"
    assert all_items(store) == before
    assert sent_mails() == []


@pytest.mark.parametrize("field", ["given_name", "family_name", "organisation", "role", "phone"])
def test_line_breaks_in_a_header_bound_field_are_refused_and_nothing_is_sent(api, store, field):
    answer = api.send(submission(**{field: "Eve\r\nBcc: victim@example.org"}))
    assert answer.status == 422
    assert answer.body["errors"][0] == {
        **answer.body["errors"][0],
        "field": field,
        "code": "control_characters",
    }
    assert registration_items(store) == []
    assert sent_mails() == []


def test_a_multi_line_message_stays_in_the_body(api):
    assert api.send(submission(message="Hallo\r\nBcc: victim@example.org\r\n\r\nTschüss")).status == 201
    [mail] = organiser_mails()
    assert mail["Bcc"] is None
    assert mail.get_all("To") == ["pukhraj.choudhary@engagement-global.de"]
    assert "Bcc: victim@example.org" in text_of(mail)  # shown as text, inside the body


# --- faults ---------------------------------------------------------------------------------------


class _Failing:
    """The real client, except that one operation fails with `code`."""

    def __init__(self, client, operation, code):
        self._client, self._operation, self._code = client, operation, code

    def __getattr__(self, name):
        if name == self._operation:

            def fail(**_):
                raise ClientError({"Error": {"Code": self._code, "Message": "injected"}}, name)

            return fail
        return getattr(self._client, name)


def test_an_unexpected_exception_is_logged_with_the_request_id_and_answered_as_json_500(api, monkeypatch, caplog):
    def explode(*_, **__):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app_module.intake, "register", explode)
    with caplog.at_level(logging.ERROR):
        answer = api.send(submission(), Origin="https://skew.engagement-global.de")
    assert answer.status == 500
    assert answer.headers["access-control-allow-origin"] == "https://skew.engagement-global.de"
    assert answer.body["error"] == "internal_error"
    assert "secret" not in json.dumps(answer.body)
    assert "Traceback" not in json.dumps(answer.body)
    [record] = [r for r in caplog.records if "unexpected error" in r.getMessage()]
    assert "request id " in record.getMessage()
    assert record.getMessage().split("request id ")[1] != "-"
    assert record.exc_info is not None


def test_a_dynamodb_fault_in_browser_mode_is_a_503_page_or_the_error_redirect(api, client, store, monkeypatch):
    real = app_module.store.table.client()
    failing = _Failing(real, "transact_write_items", "InternalServerError")
    monkeypatch.setattr(app_module.store.table, "client", lambda: failing)
    form = urlencode({k: ("on" if v is True else v) for k, v in submission().items()}).encode()
    page = client.http.post(
        PATH, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}, body=form
    )
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Bitte versuchen Sie es in einer Minute" in page.body.decode()
    # A browser without JavaScript sends the same form again with one click: nobody types twice.
    assert "Noch einmal senden" in page.body.decode()
    assert f'name="email" value="{submission()["email"]}"' in page.body.decode()
    monkeypatch.setattr(app_module.store.table, "client", lambda: real)
    reload_events(store, event(redirects=REDIRECTS))
    monkeypatch.setattr(app_module.store.table, "client", lambda: failing)
    redirected = api.send(submission(), form=True, Accept="text/html")
    assert redirected.status == 303
    assert redirected.headers["location"] == "https://ngo.example/fehler?status=unavailable"


def test_each_request_logs_one_json_line_without_personal_data(api, client, caplog):
    document = submission(given_name="Aylin", family_name="Yıldırım", email="aylin.yildirim@example.org")
    with caplog.at_level(logging.INFO):
        api.send(document)
        api.send({**document, "email": "other@example.org"}, form=True, Accept="text/html")
        client.http.get("/events/no-such-event")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith("{")]
    assert [(line["status"], line["outcome"]) for line in lines] == [
        (201, "confirmed"),
        (201, "confirmed"),
        (404, "unknown_event"),
    ]
    for line in lines:
        assert line["request_id"] != "-"
        assert line["latency_ms"] >= 0
    assert lines[0]["event_id"] == SEED_EVENT_ID
    assert lines[0]["route"] == "create_registration"
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for personal in ("Aylin", "Yıldırım", "aylin.yildirim", "other@example.org"):
        assert personal not in everything


def test_the_request_line_is_written_although_the_lambda_root_logger_says_warning(api, caplog):
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # as the Lambda runtime leaves it
    try:
        api.send(submission())
    finally:
        root.setLevel(level)
    assert any(r.getMessage().startswith('{"request_id"') for r in caplog.records)

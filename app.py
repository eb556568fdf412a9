"""The Chalice app: routes only. Each step of a request lives in its own chalicelib module."""

from __future__ import annotations

import functools
import logging
import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalice import Chalice, IAMAuthorizer, Rate, Response
from chalice.app import CloudWatchEvent

from chalicelib.api import responses
from chalicelib.api.guard import logged_and_guarded, note_outcome
from chalicelib.api.intake import Accepted, Intake, Submitted, find_event
from chalicelib.api.negotiation import answer_language, wants_json
from chalicelib.config.config_errors import SettingsError
from chalicelib.config.settings import load_settings
from chalicelib.model.registration import utc_iso
from chalicelib.seats.cancellation import cancel, find_cancellable
from chalicelib.store import Store

if TYPE_CHECKING:
    from chalicelib.mail.outbox import Outbox

# The mail, due, feedback, admin and OpenAPI paths are imported inside their handlers: every
# cold start of the API function would pay for them otherwise (`make bench`).

try:
    settings = load_settings()
    settings.require_for(os.environ.get("_HANDLER"))  # Lambda names the function it runs
except SettingsError as exc:
    sys.exit(f"event-registration: bad configuration: {exc}")

app = Chalice(app_name="event-registration")
app.log.setLevel(logging.INFO)
# Multipart bodies reach the function as bytes, untouched by API Gateway.
app.api.binary_types.append("multipart/form-data")
store = Store(settings.table_name)
intake = Intake(store, address_secret=lambda: str(settings.link_secret))


def cors_for(event_id: str | None, origin: str | None) -> dict[str, str]:
    """CORS headers for an answer whose view failed: from the cached event, if it can be had."""
    try:
        record = intake.events.get(event_id) if event_id and origin else None
    except Exception:  # the failure may be the very read this needs
        record = None
    return responses.cors_headers(record.event if record else None, origin)


# Chalice answers a Content-Type a route does not list with its own 415 (no CORS, not our
# shape): every route takes any, and the registration route judges bodies itself.
ANY_BODY = ["*/*"]
guard = logged_and_guarded(app, cors_for, store.within)
page_guard = logged_and_guarded(app, cors_for, store.within, pages=True)  # routes a browser may open or post to
# The admin API answers only requests signed with IAM credentials (SigV4). `chalice local`
# does not check signatures: locally these routes are open.
iam = IAMAuthorizer()


@functools.cache
def outbox() -> Outbox:
    """Built on the mail or due function's first run. Only they need PUBLIC_API_URL (checked at
    their start, above), which the API function cannot be given: its URL does not exist before it."""
    from chalicelib.mail.outbox import Outbox
    from chalicelib.mail.sender import Mailer

    return Outbox(store, Mailer(settings.sender_email, settings.ses_configuration_set), settings)


def now() -> datetime:
    return datetime.now(UTC)


@app.route("/events/{event_id}/registrations", methods=["POST"], content_types=ANY_BODY)
@page_guard
def create_registration(event_id: str) -> Response:
    request = app.current_request
    headers = request.headers
    source_ip = (request.context.get("identity") or {}).get("sourceIp")
    post = Submitted(
        event_id, request.raw_body, headers.get("content-type"), source_ip, now(), headers.get("accept-language")
    )
    result = intake.register(post)
    note_outcome(result.outcome.status if isinstance(result.outcome, Accepted) else result.outcome.code)
    return responses.registration_response(
        result,
        event_id=event_id,
        json_mode=wants_json(headers.get("content-type"), headers.get("accept")),
        origin=headers.get("origin"),
        referer=headers.get("referer"),
    )


@app.route("/events/{event_id}", methods=["GET"], content_types=ANY_BODY)
@guard
def show_event(event_id: str) -> Response:
    headers = app.current_request.headers
    record = find_event(store, event_id)  # not the cache: seats_left is exact
    if record is None:
        return responses.error_response("unknown_event", answer_language(None, headers.get("accept-language"), None))
    language = answer_language(None, headers.get("accept-language"), record.event)
    return responses.event_response(record, now(), headers.get("origin"), language)


@app.route("/events/{event_id}/registrations", methods=["OPTIONS"], content_types=ANY_BODY)
@guard
def registrations_preflight(event_id: str) -> Response:
    record = intake.events.get(event_id)
    return responses.preflight_response(
        record and record.event, app.current_request.headers.get("origin"), "POST, OPTIONS"
    )


@app.route("/events/{event_id}", methods=["OPTIONS"], content_types=ANY_BODY)
@guard
def event_preflight(event_id: str) -> Response:
    record = intake.events.get(event_id)
    return responses.preflight_response(
        record and record.event, app.current_request.headers.get("origin"), "GET, OPTIONS"
    )


@app.route("/cancel", methods=["GET"], content_types=ANY_BODY)
@page_guard
def cancel_question() -> Response:
    request = app.current_request
    target = find_cancellable(store, settings.link_secret, (request.query_params or {}).get("token"), now())
    if target is None:
        note_outcome("invalid_link")
        return responses.cancel_refused(answer_language(None, request.headers.get("accept-language"), None))
    registration = target.registration
    if target.cancelled:
        note_outcome("already_cancelled")
        return responses.cancel_already(registration.language)
    name = registration.name
    return responses.cancel_question(name, target.event.title, registration.language)


@app.route("/cancel", methods=["POST"], content_types=ANY_BODY)
@page_guard
def cancel_registration() -> Response:
    request = app.current_request
    target = find_cancellable(store, settings.link_secret, (request.query_params or {}).get("token"), now())
    language = answer_language(None, request.headers.get("accept-language"), target and target.event)
    if target is None:
        note_outcome("invalid_link")
        return responses.cancel_refused(language)
    if target.cancelled or not cancel(store, target, now()):
        note_outcome("already_cancelled")  # a second click, or a resend after a lost answer
        return responses.cancel_already(target.registration.language)
    note_outcome("cancelled")
    return responses.cancel_done(target.registration.language)


@app.route("/events/{event_id}/list", methods=["GET"], content_types=ANY_BODY)
@page_guard
def organiser_list(event_id: str) -> Response:
    """The live list: public, and opened only by the signed link in the organisers' mails."""
    from chalicelib.api import live_list  # only organisers open it: no cold start pays for it

    request = app.current_request
    query = request.query_params or {}
    return live_list.answer(store, settings.link_secret, event_id, query, request.headers.get("accept-language"), now())


@app.lambda_function(name="mail")
def send_mails(event: dict, context: object) -> dict:
    """Fed by the table's stream (the mapping is in infra/); ReportBatchItemFailures."""
    return outbox().handle_stream(event.get("Records", []), now())


@app.schedule(Rate(15, unit=Rate.MINUTES), name="due")
def send_due(event: CloudWatchEvent) -> dict:
    """What is due at the cutoff and before the day (closing mails, reminders, digests). An event
    whose mail failed transiently makes the run fail, after the other events: Lambda's Errors
    metric (alarmed) counts it, and the next run, or Lambda's retry, sends what is missing."""
    from chalicelib.due.schedule import Schedule

    report = Schedule(store, outbox()).run(now())
    if report.failed:
        raise RuntimeError(f"due mails failed for {sorted(report.failed)}; sent {report.sent}")
    return {"sent": report.sent} | ({"numbered": report.numbered} if report.numbered else {})


@app.lambda_function(name="feedback")
def handle_ses_feedback(event: dict, context: object) -> dict:
    """SES's bounce and complaint notices, through the configuration set's SNS topic (infra/)."""
    from chalicelib.mail import feedback
    from chalicelib.mail.alerts import Alerts

    acted = feedback.handle_sns(event.get("Records", []), store, Alerts(settings.alert_topic_arn), utc_iso(now()))
    return {"acted_on": acted}


@app.route("/openapi.json", methods=["GET"], content_types=ANY_BODY)
@guard
def openapi_json() -> Response:
    from chalicelib.api import openapi

    return openapi.openapi_response()


@app.route("/admin/events", methods=["GET"], authorizer=iam, content_types=ANY_BODY)
@guard
def admin_events() -> Response:
    from chalicelib.admin import admin_api

    return responses.admin_events(admin_api.events_with_counts(store), now())


@app.route("/admin/events/{event_id}/registrations", methods=["GET"], authorizer=iam, content_types=ANY_BODY)
@guard
def admin_registrations(event_id: str) -> Response:
    from chalicelib.admin import admin_api

    try:
        query = app.current_request.query_params or {}
        rendered = admin_api.export_registrations(store, event_id, query.get("format"), query.get("all"))
    except admin_api.AdminRefusal as refusal:
        return responses.admin_problem(refusal.code, refusal.message)
    return responses.admin_file(rendered)


@app.route(
    "/admin/events/{event_id}/registrations/{registration_id}/cancel",
    methods=["POST"],
    authorizer=iam,
    content_types=ANY_BODY,
)
@guard
def admin_cancel(event_id: str, registration_id: str) -> Response:
    from chalicelib.admin import admin_api

    try:
        status = admin_api.cancel_by_admin(store, event_id, registration_id, now())
    except admin_api.AdminRefusal as refusal:
        return responses.admin_problem(refusal.code, refusal.message)
    return responses.admin_document({"registration_id": registration_id, "status": status})

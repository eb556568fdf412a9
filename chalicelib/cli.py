"""The admin command line: `python -m chalicelib.cli [--stage STAGE] COMMAND`.

Settings come from the stage in `.chalice/config.json`; the environment overrides them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.admin import announcements, personal_data
from chalicelib.admin.admin_errors import EventFileErrors
from chalicelib.admin.event_files import read_event_files
from chalicelib.config.config_errors import SettingsError, UnknownStage
from chalicelib.config.settings import load_settings
from chalicelib.config.stage_config import stage_environment
from chalicelib.due.schedule import Schedule
from chalicelib.mail.outbox import Outbox
from chalicelib.mail.sender import Mailer
from chalicelib.model.registration import utc_iso
from chalicelib.model.submission import LANGUAGES
from chalicelib.seats.handover import fill_free_seats
from chalicelib.seats.seats_errors import Contended
from chalicelib.store import EventRecord, Store
from chalicelib.store.store_errors import CapacityBelowTaken, SavedInPart, StoreUnavailable
from chalicelib.texts import export


class CommandError(Exception):
    """A failure to report as one line on stderr."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli", description=__doc__)
    parser.add_argument("--stage", default="local", help="stage in .chalice/config.json (default: local)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("create-table", help="create the table if it is missing")
    load = commands.add_parser("load-events", help="validate and store event files; all or nothing")
    load.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    dump = commands.add_parser("export", help="every registration of an event to stdout")
    dump.add_argument("event_id")
    dump.add_argument(
        "--format", choices=export.FORMATS, default=export.DEFAULT_FORMAT, help="attendance: a printable HTML list"
    )
    dump.add_argument(
        "--separator", choices=(",", ";"), help="CSV separator (default: ';' for a German event, as Excel expects)"
    )
    dump.add_argument(
        "--all", action="store_true", dest="include_cancelled", help="also who cancelled (left out by default)"
    )
    resend = commands.add_parser(
        "send-mails", help="send every mail not sent yet (after an SES outage or a dead-lettered batch)"
    )
    resend.add_argument("event_ids", nargs="*", metavar="EVENT_ID", help="default: every event")
    resend.add_argument(
        "--retry-failed", action="store_true", help="also try mails that failed for good once more (after a fix)"
    )
    due = commands.add_parser(
        "send-due", help="send what is due now (closing mails, reminders, digests), as the scheduled function does"
    )
    due.add_argument("event_ids", nargs="*", metavar="EVENT_ID", help="default: every event")
    due.add_argument("--retry-failed", action="store_true", help="also try mails that failed for good once more")
    erase = commands.add_parser("forget", help="erase a person from every event (GDPR Art. 17)")
    erase.add_argument("email")
    report = commands.add_parser("access-report", help="everything stored about a person, as JSON (GDPR Art. 15)")
    report.add_argument("email")
    page = commands.add_parser("page", help="the event's registration page (HTML) to stdout, or its files to --out")
    page.add_argument("event_id")
    page.add_argument("--api-url", required=True, help="the API's address (EndpointURL), e.g. http://127.0.0.1:8000")
    page.add_argument(
        "--from-file",
        nargs="?",
        const="",
        type=str,
        metavar="PATH",
        help="read the event file (default events/EVENT_ID.json) instead of the table",
    )
    page.add_argument(
        "--out", type=Path, metavar="DIR", help="write index.html, register.js, register.css and privacy.html into DIR"
    )
    page.add_argument("--privacy-url", default="privacy.html", help="where the consent's privacy link goes")
    page.add_argument(
        "--language",
        choices=LANGUAGES,
        help="the page's language (default: the event's); the event must have its labels and consent in it",
    )
    for name, help_text in ANNOUNCING.items():
        commands.add_parser(name, help=help_text).add_argument("event_id")
    return parser


# Issue 23: telling registrants of a change, cancelling an event (`admin.announcements`).
ANNOUNCING = {
    "notify-change": "after load-events changed its time or place: mail every registrant what changed, once",
    "cancel-event": "cancel an event: close registration and mail every registrant the cancellation, once",
}


def create_table(store: Store, _: argparse.Namespace) -> str:
    created = store.table.create()
    return f"table {store.table_name} {'created' if created else 'already exists'}"


def load_events(store: Store, args: argparse.Namespace) -> str:
    try:
        events = read_event_files(args.paths)
    except EventFileErrors as exc:
        # Every problem on its own line, then the one-line verdict.
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise CommandError(f"nothing loaded: {len(exc.problems)} problem(s) in the event files") from None
    try:
        store.event_rows.save(events)
    except CapacityBelowTaken as exc:
        raise CommandError(f"nothing loaded: capacity below the seats already taken for {exc}") from None
    except SavedInPart as exc:
        raise CommandError(_loaded_in_part(exc, len(events))) from None
    at = utc_iso(datetime.now(UTC))
    for event in events:
        moved = fill_free_seats(store, event.event_id, at)
        if moved:
            print(f"{event.event_id}: {len(moved)} moved up from the waiting list into the new seats")
    return f"loaded {len(events)} event(s): {', '.join(e.event_id for e in events)}"


def _loaded_in_part(exc: SavedInPart, total: int) -> str:
    # Every capacity was checked before anything was written, but more than 100 events take
    # several transactions: seats taken before a later one commits (or AWS failing then) stop it
    # after the first ones. The same files again store those unchanged, the rest, and move the
    # waiting lists up (skipped here).
    if isinstance(exc.cause, CapacityBelowTaken):
        reason = f"the capacity is below the seats already taken for {exc.cause}: fix that and"
    else:
        reason = f"AWS failed ({exc.cause}):"
    return (
        f"only {len(exc.loaded)} of {total} event(s) loaded: {', '.join(exc.loaded)}; not loaded: "
        f"{', '.join(exc.not_loaded)}, because {reason} run load-events again with the same files"
    )


def export_registrations(store: Store, args: argparse.Namespace) -> str:
    record = store.event_rows.find(args.event_id)
    if record is None:
        raise CommandError(f"no event {args.event_id!r} in table {store.table_name}")
    _write(
        export.render(
            record.event,
            store.registration_rows.of_event(args.event_id),
            args.format,
            args.separator,
            include_cancelled=args.include_cancelled,
        ).body
    )
    return ""


def send_mails(store: Store, args: argparse.Namespace) -> str:
    settings = load_settings()
    outbox = Outbox(store, Mailer(settings.sender_email, settings.ses_configuration_set), settings)
    now = datetime.now(UTC)
    events: dict[str, EventRecord | None] = {}
    sent = 0
    for event_id in args.event_ids or [record.event.event_id for record in store.event_rows.all()]:
        for item in store.registration_rows.of_event(event_id):
            sent += outbox.deliver(item, now, events, retry_failed=args.retry_failed)
    return f"sent {sent} mail(s) that had not been sent"


def send_due(store: Store, args: argparse.Namespace) -> str:
    settings = load_settings()
    outbox = Outbox(store, Mailer(settings.sender_email, settings.ses_configuration_set), settings)
    report = Schedule(store, outbox).run(now(), args.event_ids or None, retry_failed=args.retry_failed)
    kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(report.sent.items()))
    summary = f"sent {report.total} due mail(s)" + (f" ({kinds})" if kinds else "")
    if report.numbered:
        summary += f"; numbered {report.numbered} registration(s) left joining the waiting list"
    if report.failed:
        failed = ", ".join(f"{event_id} ({error})" for event_id, error in sorted(report.failed.items()))
        raise CommandError(f"{summary}; failed for {failed}: run send-due again")
    return summary


def announce(store: Store, args: argparse.Namespace) -> str:
    settings = load_settings()
    outbox = Outbox(store, Mailer(settings.sender_email, settings.ses_configuration_set), settings)
    work = announcements.cancel_event if args.command == "cancel-event" else announcements.notify_change
    try:
        outcome = work(store, outbox, args.event_id, now())
    except announcements.CannotAnnounce as exc:
        raise CommandError(str(exc)) from None
    except announcements.NotAllSent as exc:
        print("\n".join(announcements.summary(exc.outcome, args.command)))
        raise CommandError(
            f"sending stopped ({exc.error}): run it again: it sends the rest "
            "(the due function also does, within 15 minutes)"
        ) from None
    return "\n".join(announcements.summary(outcome, args.command))


def now() -> datetime:
    """The clock of every command (a test sets it, as it sets the app's)."""
    return datetime.now(UTC)


def forget(store: Store, args: argparse.Namespace) -> str:
    try:
        forgotten = personal_data.forget(store, args.email, datetime.now(UTC))
    except (StoreUnavailable, Contended) as exc:
        raise CommandError(
            f"stopped part-way, AWS unavailable or busy ({exc or 'contended'}); "
            "run forget again: it finishes what is left"
        ) from exc
    for erased in forgotten.registrations:
        seat = f"; seat passed to {erased.promoted}" if erased.promoted else ""
        print(
            f"removed registration {erased.registration_id} from {erased.event_id} "
            f"(was {erased.status}{seat}) and {erased.mail_records} mail record(s)"
        )
    for event_id in forgotten.complaints:
        print(f"removed the record of a spam complaint in {event_id}")
    for event_id in forgotten.markers:
        print(f"removed a one-per-address marker left in {event_id}")
    if forgotten.orphaned_mail_records:
        print(f"removed {forgotten.orphaned_mail_records} mail record(s) left by an erasure cut short")
    if not forgotten:
        return f"{args.email}: nothing stored"
    return f"{args.email}: {len(forgotten.registrations)} registration(s) erased, nothing about it left"


def access_report(store: Store, args: argparse.Namespace) -> str:
    report = personal_data.access_report(store, args.email)
    _write(json.dumps(report.as_document(), ensure_ascii=False, indent=2) + "\n")
    return ""


def page(store: Store, args: argparse.Namespace) -> str:
    """The page is built from the event the API checks posts against: the one in the table.
    `--from-file` builds it from the file without AWS (for `make examples`, or before loading)."""
    from chalicelib.page import render as pages  # needs jinja2 (requirements-dev.txt): only this command
    from chalicelib.page.languages import untranslated_choices

    if args.from_file is not None:
        path = Path(args.from_file or f"events/{args.event_id}.json")
        try:
            [event] = read_event_files([path])
        except EventFileErrors as exc:
            raise CommandError("; ".join(exc.problems)) from None
        if event.event_id != args.event_id:
            raise CommandError(f"{path} holds event {event.event_id!r}, not {args.event_id!r}")
    else:
        record = store.event_rows.find(args.event_id)
        if record is None:
            raise CommandError(
                f"no event {args.event_id!r} in table {store.table_name}: load it with load-events, "
                "or build the page from the file with --from-file"
            )
        event = record.event
    try:
        files = pages.render_page(event, args.api_url, args.privacy_url, args.language)
    except pages.PageError as exc:
        raise CommandError(str(exc)) from None
    untranslated = untranslated_choices(event, args.language or event.language)
    if untranslated:
        print(
            f"note: choices shown as the event spells them, with no {args.language} text in `choice_labels`: "
            + ", ".join(repr(choice) for choice in untranslated),
            file=sys.stderr,
        )
    if not event.allowed_origins:
        print(
            f"note: {event.event_id} has no allowed_origins: add the page's origin (e.g. https://www.example.org) "
            "and run load-events, or the page's script cannot read the API's answers",
            file=sys.stderr,
        )
    if args.out is None:
        _write(files["index.html"])
        return ""
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.out / name).write_bytes(content.encode("utf-8"))  # UTF-8 and \n whatever the platform
    if args.privacy_url == "privacy.html":  # the page links to the sample
        print(
            f"note: {args.out / 'privacy.html'} is a sample with placeholders (who is responsible: name, "
            "address, contact): adapt it before you publish the page, or give --privacy-url of your own notice",
            file=sys.stderr,
        )
    return f"wrote {', '.join(str(args.out / name) for name in files)}"


def _write(text: str) -> None:
    """UTF-8 whatever the terminal's locale: the files are for Excel and other programs."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


COMMANDS = {
    "create-table": create_table,
    "load-events": load_events,
    "export": export_registrations,
    "send-mails": send_mails,
    "send-due": send_due,
    "forget": forget,
    "access-report": access_report,
    "page": page,
    **dict.fromkeys(ANNOUNCING, announce),
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        os.environ.update(stage_environment(args.stage))
        settings = load_settings()
        message = COMMANDS[args.command](Store(settings.table_name), args)
    except (CommandError, SettingsError, UnknownStage) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ClientError as exc:
        error = exc.response["Error"]
        print(f"error: AWS said {error.get('Code')}: {error.get('Message')}", file=sys.stderr)
        return 1
    except (BotoCoreError, StoreUnavailable) as exc:
        print(f"error: cannot reach AWS or it is busy: {exc}", file=sys.stderr)
        return 1
    if message:
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())

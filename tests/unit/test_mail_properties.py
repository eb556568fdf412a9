"""Property: whatever the API accepts can be mailed.

Any submission (names, organisation, role, phone, message, every question type) in any
Unicode, to an event whose own texts are anything an event file may hold, in either
language, is either refused by `validate_submission` with field errors that name the
field, or turned into every mail of `notifications`, each of which SES's MIME parser
(Python's `email`) reads back without a defect: the intended headers once each, the
intended one-line Subject, the addresses, the values in the text body, escaped in the
HTML, and a calendar entry that two iCalendar parsers read.

Deterministic (`derandomize`, no example database) so CI sees the same cases every run;
the inputs that broke a mail once are pinned in `test_what_once_broke_a_mail`.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import unicodedata
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import event as tally
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.mail.changes import organiser_event_cancelled, registrant_changed, registrant_event_cancelled
from chalicelib.mail.mime import to_mime
from chalicelib.mail.notifications import (
    organiser_bounce,
    organiser_cancellation,
    organiser_notification,
    organiser_promotion,
    organiser_undeliverable,
    registrant_cancellation,
    registrant_confirmation,
    registrant_reminder,
    registrant_waitlist_notice,
)
from chalicelib.model.appointment import appointment_of
from chalicelib.model.events import Event
from chalicelib.model.model_errors import InvalidSubmission
from chalicelib.model.registration import Registration
from chalicelib.model.submission import STANDARD_FIELDS
from chalicelib.model.validation import new_registration, validate_submission
from chalicelib.texts import de, en, field_label, text
from tests.factories import seed_event_document
from tests.strategies import examples

SENDER = "anmeldung@example.org"
NOW = datetime(2016, 11, 10, 11, 0, tzinfo=UTC)
LINK = "https://api.example.org/api/cancel?token=abc.def"
HEADERS = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version")
MIME_HEADERS = {"content-type", "content-transfer-encoding"}
HTML_TAGS = {"html", "body", "p", "a", "table", "tr", "th", "td", "br"}

# Characters that broke, or might break, lines, headers, encodings and markup.
CONTROLS = "\x85\x1c\x1d\x1e\x1f\x0b\x0c\r\n\t\x00\x7f"
SUSPECTS = "\u2028\u2029\udfff\ud800\ufffe\uffff\ufdd0\U0010ffff\u202e\u2067\u200f\U000e0001"
# What the target field of an example gets, one to three of them anywhere in its value.
SUSPECT = st.sampled_from(["\u2028", "\u2029", "\x85", "\x1e", "\udfff", "\ud800", "\ufffe", "\U0010ffff", "\u202e"])
ODD_BUT_TEXT = (
    "\u0301\u0308\u200b\u200d\ufeff\u00a0\u3000\u1680\u0627\u05d0\U0001f600\U0001f469\U00020000\ue000"
    "=?<>&\"' ;,\\:.@()[]"
)
ENCODED_WORDS = st.sampled_from(["=?utf-8?q?Bob?=", "=?utf-8?b?w6Q=?= x", "=?iso-8859-1?q?=E4?=", "a =?x?q?y?= b"])
LINE_BREAKS = st.sampled_from(["\n", "\r\n", "\u2028", "\u2029", "\n\n", " \n\t"])


def _noncharacter(ch: str) -> bool:
    return 0xFDD0 <= ord(ch) <= 0xFDEF or ord(ch) & 0xFFFE == 0xFFFE


def _event_text(ch: str) -> bool:
    return unicodedata.category(ch) not in ("Cc", "Cs") and not _noncharacter(ch)


# Submitted text: all of Unicode (lone surrogates too) but the control characters, which validation
# has long refused (tests/unit/test_hostile_bodies.py); `anything` has them too. Event texts: what
# an event file may hold.
TEXT_CHAR = st.characters(exclude_categories=("Cc",))
ANY_CHAR = st.characters(exclude_categories=()) | st.sampled_from(list(CONTROLS + SUSPECTS))
EVENT_CHAR = st.characters(exclude_categories=("Cc", "Cs")).filter(lambda ch: not _noncharacter(ch))


def weighted(usual: st.SearchStrategy, rare: st.SearchStrategy, odds: int) -> st.SearchStrategy:
    """`usual` `odds` times for each `rare` one (`one_of` gives each branch half, repeated or not)."""
    return st.sampled_from([False] * odds + [True]).flatmap(lambda is_rare: rare if is_rare else usual)


def long_word(alphabet: st.SearchStrategy[str], least: int, most: int) -> st.SearchStrategy[str]:
    """One 'word' of a single character repeated: no space for a header folder to break at."""
    return st.builds(lambda ch, n: ch * n, alphabet, st.integers(max(least, 1), most))


def texts(alphabet: st.SearchStrategy[str], odd: str, max_length: int) -> st.SearchStrategy[str]:
    """Runs of `alphabet`, spaces, encoded words and the `odd` characters as pieces of their own
    (drawn only as part of the alphabet, they hardly ever showed up in a short name); now and
    then one long word."""
    pieces = st.one_of(
        st.text(alphabet, min_size=1, max_size=12), st.sampled_from(list(odd)), ENCODED_WORDS, st.just(" ")
    )
    words = st.lists(pieces, min_size=1, max_size=8).map("".join).map(lambda v: v if v.strip() else v + "x")
    return weighted(words, long_word(alphabet, 1, max_length), 3)


def paragraphs(alphabet: st.SearchStrategy[str], odd: str, max_length: int) -> st.SearchStrategy[str]:
    lines = st.lists(texts(alphabet, odd, max(max_length // 5, 1)), min_size=2, max_size=5)
    return texts(alphabet, odd, max_length) | st.builds(lambda lines, br: br.join(lines), lines, LINE_BREAKS)


def with_suspects(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def insert(value: str, suspects: list[tuple[str, int]]) -> str:
        for suspect, at in suspects:
            at %= len(value) + 1
            value = value[:at] + suspect + value[at:]
        return value

    return st.builds(
        insert, values, st.lists(st.tuples(SUSPECT | ENCODED_WORDS, st.integers(0, 999)), min_size=1, max_size=3)
    )


def anything(max_length: int) -> st.SearchStrategy[str]:
    return st.one_of(st.text(ANY_CHAR, max_size=60), long_word(ANY_CHAR, max_length - 2, max_length + 2))


EVENT_TEXT = texts(EVENT_CHAR, "".join(filter(_event_text, SUSPECTS + ODD_BUT_TEXT)), 300)
LABEL = EVENT_TEXT | st.fixed_dictionaries({"de": EVENT_TEXT, "en": EVENT_TEXT})
# Stripped: a choice with a space at either end can never be chosen (answers are stripped).
CHOICES = st.lists(EVENT_TEXT.map(str.strip).filter(bool), min_size=1, max_size=4, unique=True)
ADDRESSES = st.sampled_from(
    [
        "ana@example.org",
        "O'Brien+tag@Example.ORG",
        "first.last@bücher.de",
        "a!#$%&*/=?^_`{|}~-@example.org",
        "ana@例え.jp",
    ]
)
ODD_ADDRESSES = weighted(
    st.sampled_from(
        ["=?utf-8?q?x?=@example.org", "a=?utf-8?b?eA==?=b@example.org", "=?x?q?y?=@b.de", "a\u2028@x.org", " A@B.DE "]
    ),
    st.text(ANY_CHAR, max_size=40),
    3,
)


def choice_labels(draw, choices: list[str]) -> dict | None:
    """None, or how some of `choices` read in one or both languages (what a mail then shows)."""
    languages = draw(st.lists(st.sampled_from(["de", "en"]), max_size=2, unique=True))
    if not languages:
        return None
    return {
        lang: draw(st.dictionaries(st.sampled_from(choices), EVENT_TEXT, max_size=len(choices))) for lang in languages
    }


@st.composite
def events(draw) -> Event:
    kinds, topics = draw(CHOICES), draw(CHOICES)
    questions = [
        {"id": "note", "label": draw(LABEL), "type": "text", "max_length": draw(st.sampled_from([1, 40, 500, 2000]))},
        {"id": "must", "label": draw(LABEL), "type": "text", "required": True},
        {
            "id": "kind",
            "label": draw(LABEL),
            "type": "choice",
            "choices": kinds,
            "choice_labels": choice_labels(draw, kinds),
        },
        {
            "id": "topics",
            "label": draw(LABEL),
            "type": "multi",
            "choices": topics,
            "choice_labels": choice_labels(draw, topics),
        },
        {
            "id": "ok",
            "label": draw(LABEL),
            "type": "bool",
            "required": draw(weighted(st.just(False), st.just(True), 4)),
        },
    ]
    document = {
        **seed_event_document(),
        "title": draw(EVENT_TEXT),
        "location": draw(st.none() | EVENT_TEXT),
        "language": draw(st.sampled_from(["de", "en"])),
        "organisers": [{"name": draw(EVENT_TEXT), "email": "orga@example.org", "phone": draw(st.none() | EVENT_TEXT)}],
        "questions": questions,
    }
    try:
        return Event.model_validate(document)
    except ValidationError:
        assume(False)
        raise


TEXT_FIELDS = ("given_name", "family_name", "organisation", "role", "phone", "message", "note", "must")
ALL_FIELDS = (*TEXT_FIELDS, "email", "consent", "lang", "kind", "topics", "ok")


@st.composite
def submissions(draw, event: Event) -> dict[str, list]:
    """Form fields as `forms.parse_body` hands them on: every name with its list of values.

    One field per example is the target: its value holds the suspects (or, one time in five,
    anything at all); the others hold odd but ordinary text, so that most examples are accepted
    and the target's value reaches the mails whenever validation lets it through.
    """
    by_id = {q.id: q for q in event.questions}
    target = draw(st.sampled_from(ALL_FIELDS), label="target")
    limits = {"given_name": 100, "family_name": 100, "organisation": 200, "role": 200, "phone": 50}
    limits |= {"message": 2000, "note": by_id["note"].max_length, "must": by_id["must"].max_length}

    def text_value(name: str) -> st.SearchStrategy[str]:
        shape = paragraphs if name in ("message", "note", "must") else texts
        if name != target:  # within the limit (a "\r\n" cut in two is a control character: rare)
            return shape(TEXT_CHAR, ODD_BUT_TEXT, limits[name]).map(lambda value: value[: limits[name]])
        return weighted(with_suspects(shape(TEXT_CHAR, SUSPECTS, limits[name])), anything(limits[name]), 4)

    def odd_if_target(name: str, usual: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
        return odd if name == target else usual

    fields: dict[str, list] = {}
    for name in TEXT_FIELDS:
        if name in ("given_name", "family_name", "must") or draw(st.booleans()):
            fields[name] = [draw(text_value(name))]
    fields["email"] = [draw(odd_if_target("email", ADDRESSES, ODD_ADDRESSES))]
    yes = st.sampled_from(["on", True, 1, "yes"])
    fields["consent"] = [draw(odd_if_target("consent", yes, st.sampled_from(["", "nein", 0, None, "\udfff"])))]
    lang = draw(odd_if_target("lang", st.none() | st.sampled_from(["de", "en"]), st.sampled_from(["fr", "", " en "])))
    if lang is not None:
        fields["lang"] = [lang]
    choices, topics = by_id["kind"].choices or [], by_id["topics"].choices or []
    kind = draw(
        odd_if_target(
            "kind",
            st.none() | st.sampled_from(choices),
            anything(60) | st.sampled_from(choices).map(" {}\u2028".format),
        )
    )
    if kind is not None:
        fields["kind"] = [kind]
    fields["topics"] = draw(st.lists(odd_if_target("topics", st.sampled_from(topics), anything(60)), max_size=4))
    yes_no = st.sampled_from(
        ["on", "true", True] if by_id["ok"].required else ["on", "", "true", "false", "0", True, False]
    )
    ok = draw(odd_if_target("ok", st.none() | yes_no, st.sampled_from(["vielleicht", 2, "\udfff", "on\u2028"])))
    if ok is not None:
        fields["ok"] = [ok]
    return fields


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _unstorable(value: str) -> bool:
    """Not text: a lone surrogate (no UTF-8 for it: DynamoDB refuses) or a noncharacter."""
    return any(unicodedata.category(ch) == "Cs" or _noncharacter(ch) for ch in value)


def _not_in_html(ch: str) -> bool:
    """What HTML calls a parse error and XML forbids: controls (but tab and line ends),
    lone surrogates, noncharacters."""
    return (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r") or _noncharacter(ch)


def _breaks_lines(value: str) -> bool:
    return any(ch.splitlines() != [ch] for ch in value)


def flat(value: str) -> str:
    """The test's own idea of a one-line value: whatever `str.splitlines` or a terminal
    treats as a break or control becomes a space."""
    return "".join(" " if ch.splitlines() != [ch] or unicodedata.category(ch) == "Cc" else ch for ch in value).strip()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)


def _value_text(value: object, language: str) -> str:
    if isinstance(value, bool):
        return text(language, "mail.yes" if value else "mail.no")
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _details(event: Event, registration: Registration, language: str) -> list[tuple[str, str]]:
    rows = [
        (field_label(language, "given_name"), registration.given_name),
        (field_label(language, "family_name"), registration.family_name),
        (field_label(language, "email"), registration.email),
    ]
    rows += [(field_label(language, key), value) for key, value in registration.details.items()]
    rows += [
        (q.label_in(language), _value_text(_read_in(q.choice_labels, registration.answers[q.id], language), language))
        for q in event.questions
        if q.id in registration.answers
    ]
    return rows


def _read_in(labels: dict | None, answer: object, language: str) -> object:
    """A choice as the reader of `language` sees it: its label there, if the event gives one."""
    shown = (labels or {}).get(language, {})
    if isinstance(answer, list):
        return [shown.get(choice, choice) for choice in answer]
    return shown.get(answer, answer) if isinstance(answer, str) else answer


def _every_mail(event: Event, registration: Registration):
    """Every kind of mail `notifications` writes: (mail, its language, its Subject's text key,
    whether it lists the registrant's details)."""
    waitlisted = dataclasses.replace(registration, status="waitlisted", waitlist_position=7, waitlist_place=3)
    org, mine = event.language, registration.language
    confirm = {"uid_domain": "example.org", "now": NOW}
    return [
        (organiser_notification(event, registration), org, "mail.organiser.subject", True),
        (organiser_notification(event, waitlisted), org, "mail.organiser.waitlisted_subject", True),
        (organiser_cancellation(event, registration, None), org, "mail.organiser.cancelled_subject", False),
        (organiser_cancellation(event, waitlisted, 7), org, "mail.organiser.cancelled_subject", False),
        (organiser_promotion(event, registration, 7), org, "mail.organiser.promoted_subject", True),
        (
            registrant_confirmation(event, registration, LINK, promoted=False, **confirm),
            mine,
            "mail.confirmed.subject",
            True,
        ),
        (
            registrant_confirmation(event, registration, LINK, promoted=True, **confirm),
            mine,
            "mail.promoted.subject",
            True,
        ),
        (registrant_reminder(event, registration, LINK, **confirm), mine, "mail.reminder.subject", False),
        (registrant_waitlist_notice(event, waitlisted, LINK), mine, "mail.waitlisted.subject", False),
        (registrant_cancellation(event, registration), mine, "mail.cancelled.subject", False),
        (
            organiser_undeliverable(event, registration, "registrant_confirmed", "recipient_rejected"),
            org,
            "mail.organiser.undeliverable_subject",
            True,
        ),
        (organiser_bounce(event, registration), org, "mail.organiser.bounced_subject", True),
    ]


def _announcement_mails(event: Event, registration: Registration):
    """The announcements' mails (a change told, the event cancelled), for a confirmed and a waiting
    registrant, with how each is checked beyond `_every_mail`'s: (mail, language, Subject key,
    how `check_mail` checks it)."""
    waitlisted = dataclasses.replace(registration, status="waitlisted", waitlist_position=7, waitlist_place=3)
    # The event moved by a day and to another place: what it was is the event itself, its
    # texts whatever the strategy drew.
    moved = event.model_copy(update={"starts_at": event.starts_at.replace(day=2), "ends_at": None, "location": "Neu"})
    before, mine = appointment_of(event), registration.language
    stamp = {"uid_domain": "example.org", "now": NOW, "sequence": 4}
    cancel_ics = {"calendar_file": "mail.event_cancelled.calendar_file", "method": "CANCEL"}
    return [
        (
            registrant_changed(moved, registration, LINK, before, **stamp),
            mine,
            "mail.changed.subject",
            {"calendars": 1, "moved_to": "Neu"},
        ),
        (registrant_changed(moved, waitlisted, LINK, before, **stamp), mine, "mail.changed.subject", {"calendars": 0}),
        (
            registrant_event_cancelled(event, registration, **stamp),
            mine,
            "mail.event_cancelled.subject",
            {"calendars": 1, **cancel_ics},
        ),
        (
            registrant_event_cancelled(event, waitlisted, **stamp),
            mine,
            "mail.event_cancelled.subject",
            {"calendars": 0},
        ),
        (
            organiser_event_cancelled(event, 3, 1),
            event.language,
            "mail.organiser.event_cancelled_subject",
            {"calendars": 0, "names_registrant": False},
        ),
    ]


def check_mail(
    mail,
    language: str,
    subject_key: str,
    lists_details: bool,
    event: Event,
    registration: Registration,
    *,
    calendars: int | None = None,
    calendar_file: str = "mail.calendar_file",
    method: str = "PUBLISH",
    names_registrant: bool = True,
    moved_to: str | None = None,
):
    raw = to_mime(mail, SENDER).as_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.defects == []
    for part in message.walk():
        assert part.defects == [], part.get_content_type()
        for name, value in part.items():
            assert getattr(value, "defects", ()) == (), name

    names = [name.lower() for name in message]
    intended_headers = [h.lower() for h in HEADERS if h != "Reply-To" or mail.reply_to]  # a bounce has none
    for header in intended_headers:
        assert names.count(header) == 1, header
    assert set(names) <= set(intended_headers) | MIME_HEADERS
    assert message["Date"].datetime is not None

    name, title = flat(registration.name), flat(event.title)
    intended = flat(text(language, subject_key, title=title, name=name, email=registration.email))
    assert mail.subject == intended
    assert str(message["Subject"]) == intended
    assert not _breaks_lines(str(message["Subject"]))
    assert [a.addr_spec for a in message["To"].addresses] == list(mail.to)
    if mail.reply_to:
        assert [a.addr_spec for a in message["Reply-To"].addresses] == list(mail.reply_to)
    assert str(message["From"]) == SENDER
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # RFC 5322's hard limit

    plain = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    page = message.get_body(preferencelist=("html",)).get_content()
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.tags <= HTML_TAGS  # no submitted or organiser text became markup
    assert not any(_not_in_html(ch) for ch in page)
    if names_registrant:
        assert name in plain
        assert escape(name) in page
    if lists_details:
        for label, value in _details(event, registration, language):
            assert f"{label}: " + value.replace("\n", "\n    ") in plain
            assert escape(value).replace("\n", "<br>") in page

    attached = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    with_calendar = ("mail.confirmed.subject", "mail.promoted.subject", "mail.reminder.subject")
    assert len(attached) == (calendars if calendars is not None else 1 if subject_key in with_calendar else 0)
    for part in attached:
        assert part.get_filename() == text(language, calendar_file)
        assert part.get_param("method") == method
        ics = part.get_content()
        calendar = icalendar.Calendar.from_ical(ics)
        assert str(calendar["method"]) == method
        entry = calendar.walk("VEVENT")[0]
        assert str(entry["summary"]) == event.title
        location = str(entry["location"]) if "location" in entry else None
        assert location == (moved_to or event.location)
        second = vobject.readOne(ics)
        assert second.method.value == method
        assert second.vevent.summary.value == event.title
        assert second.vevent.uid.value == str(entry["uid"])
        assert int(second.vevent.sequence.value) == int(entry["sequence"])
        if location:
            assert second.vevent.location.value == location


def check_refusal(refused: InvalidSubmission, event: Event, fields: dict[str, list]) -> None:
    assert refused.errors
    known = set(fields) | set(STANDARD_FIELDS) | {q.id for q in event.questions}
    for error in refused.errors:
        assert error.field in known
        assert f"field_error.{error.code}" in de.TEXTS
        assert f"field_error.{error.code}" in en.TEXTS
    errored = {e.field for e in refused.errors}
    for name, values in fields.items():
        if any(_unstorable(s) for s in _strings(values)):
            assert name in errored, f"{name} holds what cannot be stored, yet is not named"


def check_accepted(event: Event, registration: Registration) -> None:
    # What is stored can be stored (DynamoDB speaks UTF-8) and single-line fields hold one line.
    stored = [registration.given_name, registration.family_name, registration.email]
    stored += [v for v in registration.details.values()] + _strings(list(registration.answers.values()))
    assert not any(_unstorable(s) for s in stored)
    for value in (registration.given_name, registration.family_name, registration.email):
        assert not _breaks_lines(value)
    for key in ("organisation", "role", "phone"):
        assert not _breaks_lines(registration.details.get(key, ""))
    # Free text keeps its line breaks, each as the one we store: "\n" (a choice is the organiser's text).
    free = [registration.answers.get(q.id, "") for q in event.questions if q.type == "text"]
    for value in [registration.details.get("message", ""), *free]:
        assert not _breaks_lines(value.replace("\n", ""))


def mails_or_refusal(event: Event, fields: dict[str, list], language: str) -> list[tuple[str, str]]:
    """Every mail checked, or the refusal checked; the refusal's (field, code)s, [] if accepted."""
    try:
        valid = validate_submission(event, fields)
    except InvalidSubmission as refused:
        check_refusal(refused, event, fields)
        return [(e.field, e.code) for e in refused.errors]
    registration = new_registration(event, valid, NOW, language)
    check_accepted(event, registration)
    for mail, lang, subject_key, lists_details in _every_mail(event, registration):
        check_mail(mail, lang, subject_key, lists_details, event, registration)
    for mail, lang, subject_key, how in _announcement_mails(event, registration):
        check_mail(mail, lang, subject_key, False, event, registration, **how)
    return []


@settings(
    max_examples=examples(150),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
@given(data=st.data(), language=st.sampled_from(["de", "en"]))
def test_whatever_is_accepted_is_mailed_and_whatever_is_not_is_refused_by_field(data, language):
    event = data.draw(events(), label="event")
    fields = data.draw(submissions(event), label="fields")
    errors = mails_or_refusal(event, fields, language)
    tally(f"refused: {' '.join(sorted({code for _, code in errors}))}" if errors else "accepted")


def _seed_with_questions(**changes) -> Event:
    document = seed_event_document()
    document["questions"] = [
        {"id": "note", "label": "Notiz", "type": "text"},
        {"id": "kind", "label": "Art", "type": "choice", "choices": ["a", "b"]},
    ]
    return Event.model_validate({**document, **changes})


BASE = {"given_name": ["Ana"], "family_name": ["Müller"], "email": ["ana@example.org"], "consent": ["on"]}


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        # A line separator is no control character (Zl/Zp), yet it broke the Subject ("Header values
        # may not contain linefeed"): refused in one-line fields ...
        pytest.param({"given_name": ["Ana\u2028Lena"]}, ("given_name", "control_characters"), id="U+2028-name"),
        pytest.param({"family_name": ["Mül\u2029ler"]}, ("family_name", "control_characters"), id="U+2029-name"),
        pytest.param({"organisation": ["Stadt\u2028X"]}, ("organisation", "control_characters"), id="U+2028-line"),
        # ... a line break in a message (stored as "\n").
        pytest.param({"message": ["Hallo\u2028Welt\u2029Tschüss"]}, None, id="U+2028-message"),
        pytest.param({"note": ["a\u2028b"]}, None, id="U+2028-answer"),
        # NEL and the separators \x1c-\x1e split lines too; they are control characters.
        pytest.param({"given_name": ["Ana\x85Lena"]}, ("given_name", "control_characters"), id="NEL-name"),
        pytest.param({"message": ["a\x1eb"]}, ("message", "control_characters"), id="x1e-message"),
        # A lone surrogate passed in a free-text answer and failed DynamoDB (503) and the mail.
        pytest.param({"note": ["Notiz \udfff"]}, ("note", "invalid_characters"), id="surrogate-answer"),
        pytest.param({"message": ["x\ud800"]}, ("message", "invalid_characters"), id="surrogate-message"),
        pytest.param({"given_name": ["\udfff"]}, ("given_name", "invalid_characters"), id="surrogate-name"),
        # Noncharacters: not text (XML forbids U+FFFE/U+FFFF).
        pytest.param({"given_name": ["Ana\ufffe"]}, ("given_name", "invalid_characters"), id="U+FFFE-name"),
        pytest.param({"note": ["\U0010ffff"]}, ("note", "invalid_characters"), id="U+10FFFF-answer"),
        # An encoded word typed as a name was decoded in the Subject ("Bob"): now mailed as typed.
        pytest.param({"given_name": ["=?utf-8?q?Bob?="]}, None, id="encoded-word-name"),
        # ... and in an address, decoded in the organisers' Reply-To: their reply went to x@example.org.
        pytest.param({"email": ["=?utf-8?q?x?=@example.org"]}, ("email", "invalid_email"), id="encoded-word-email"),
        pytest.param({"given_name": ["ü" * 100], "family_name": ["W" * 100]}, None, id="long-words"),
    ],
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_what_once_broke_a_mail(changes, refused, language):
    errors = mails_or_refusal(_seed_with_questions(language=language), {**BASE, **changes}, language)
    assert errors == ([refused] if refused else [])


@pytest.mark.parametrize(
    "title",
    [
        "Treffen\u2028Zwei",  # broke every Subject of the event: flattened by `one_line` now
        "=?utf-8?q?Fake?= Treffen",  # was decoded in the Subject: now encoded as written
        "T" * 300,
        "Ünïcödé " * 37,
    ],
)
def test_what_an_event_title_may_hold_is_mailed(title):
    assert mails_or_refusal(_seed_with_questions(title=title), BASE, "de") == []


def test_an_event_file_with_what_is_not_text_is_refused():
    for title in ("Treffen \udfff", "Treffen \ufffe"):
        with pytest.raises(ValidationError):
            _seed_with_questions(title=title)

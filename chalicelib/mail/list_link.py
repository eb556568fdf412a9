"""The live list's link at the foot of every organisers' mail. Pure.

Added where every mail passes (`Outbox._try_send`), not by each builder, so no organisers' mail,
today's or a later one, can leave it out, and no mail to anybody else can carry it: whoever
has the link sees every registration of the event.
"""

from __future__ import annotations

import dataclasses
from html import escape

from chalicelib.mail.mime import OutgoingMail
from chalicelib.model.events import Event, expiry_epoch
from chalicelib.model.links import ListLink, list_url
from chalicelib.texts import text


def event_list_url(base_url: str, secret: str, event: Event) -> str:
    """The link to `event`'s live list, valid as long as its registrations are kept."""
    return list_url(base_url, secret, ListLink(event.event_id, expiry_epoch(event)))


def only_to_organisers(mail: OutgoingMail, event: Event) -> bool:
    """Whether every recipient of `mail` is one of `event`'s organisers."""
    organisers = {address.lower() for address in event.organiser_addresses()}
    return bool(mail.to) and all(address.lower() in organisers for address in mail.to)


def with_list_link(mail: OutgoingMail, event: Event, url: str) -> OutgoingMail:
    """`mail` with the link to the live list at its end, in the event's language (the organisers').

    A mail with any recipient who is not an organiser is returned unchanged: the caller asks
    only for organisers' mails, and this makes sure of it."""
    if not only_to_organisers(mail, event):
        return mail
    language = event.language
    hint, label = text(language, "live.mail_hint"), text(language, "live.mail_link")
    body = f"{mail.body.rstrip()}\n\n{hint}\n{url}\n"
    html = mail.html
    if html is not None:
        link = f'<p>{escape(hint)}</p><p><a href="{escape(url)}">{escape(label)}</a></p>'
        head, end, tail = html.rpartition("</body>")
        html = f"{head}{link}{end}{tail}" if end else html + link
    return dataclasses.replace(mail, body=body, html=html)

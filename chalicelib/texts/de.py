"""German texts. Keys are shared with en.py; tests check both have the same keys."""

TEXTS = {
    # Outcomes (the JSON `message` and the heading of the HTML page).
    "outcome.confirmed": "Ihre Anmeldung ist eingegangen. Vielen Dank!",
    "outcome.waitlisted": "Die Veranstaltung ist ausgebucht. Sie stehen auf Platz {place} der Warteliste.",
    "error.malformed": "Die Anfrage konnte nicht gelesen werden.",
    "error.registration_closed": "Die Anmeldung zu dieser Veranstaltung ist geschlossen.",
    "error.registration_not_open": "Die Anmeldung zu dieser Veranstaltung ist noch nicht geöffnet.",
    "error.unknown_event": "Diese Veranstaltung gibt es nicht.",
    "error.already_registered": "Mit dieser E-Mail-Adresse ist bereits eine Anmeldung eingegangen.",
    "error.event_full": "Die Veranstaltung ist leider ausgebucht.",
    "error.payload_too_large": "Die Anfrage ist zu groß.",
    "error.unsupported_media_type": "Dieses Format wird nicht angenommen. Bitte senden Sie ein Formular oder JSON.",
    "error.invalid": "Bitte prüfen Sie Ihre Angaben.",
    "error.rate_limited": "Von Ihrem Netzwerk kamen in dieser Stunde schon zu viele Anmeldungen. "
    "Bitte versuchen Sie es später noch einmal.",
    "error.too_fast": "Das ging sehr schnell: Ihre Anmeldung ist noch nicht gespeichert. "
    "Bitte prüfen Sie Ihre Angaben und senden Sie das Formular in ein paar Sekunden noch einmal.",
    "error.unavailable": "Der Dienst ist gerade überlastet. Bitte versuchen Sie es in einer Minute noch einmal.",
    "error.internal_error": "Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal.",
    # Field errors.
    "field_error.required": "{field}: Bitte ausfüllen.",
    "field_error.too_long": "{field}: Höchstens {max_length} Zeichen.",
    "field_error.control_characters": "{field}: Enthält unzulässige Steuerzeichen.",
    "field_error.invalid_characters": "{field}: Enthält Zeichen, die kein Text sind (etwa eine defekte Kodierung).",
    "field_error.invalid_email": "{field}: Keine gültige E-Mail-Adresse.",
    "field_error.consent_required": "{field}: Ohne Ihre Einwilligung können wir die Anmeldung nicht annehmen.",
    "field_error.invalid_choice": "{field}: Bitte wählen Sie einen der angebotenen Werte.",
    "field_error.invalid_boolean": "{field}: Bitte ja oder nein angeben.",
    "field_error.invalid_type": "{field}: Ungültiger Wert.",
    "field_error.multiple_values": "{field}: Bitte nur einen Wert angeben.",
    "field_error.unknown_field": "{field}: Dieses Feld ist unbekannt.",
    # Labels of the standard fields.
    "field.given_name": "Vorname",
    "field.family_name": "Nachname",
    "field.email": "E-Mail",
    "field.organisation": "Organisation",
    "field.role": "Funktion",
    "field.phone": "Telefon",
    "field.message": "Nachricht",
    "field.consent": "Einwilligung",
    "field.lang": "Sprache",
    "field.website": "Website",
    # The HTML answer page.
    "page.back": "Zurück zum Formular",
    "page.send_again": "Noch einmal senden",
    "page.fix": "Bitte korrigieren Sie:",
    # The HTML answer page names the event, and on success where the confirmation goes.
    "page.event": "Anmeldung zu: {title}",
    "page.mail_to": "Eine Bestätigung ist an {email} unterwegs.",
    # The organiser notification.
    "mail.organiser.subject": "Anmeldung: {title} – {name}",
    "mail.organiser.waitlisted_subject": "Warteliste: {title} – {name}",
    "mail.organiser.intro": "Neue Anmeldung zu: {title} ({when})",
    "mail.organiser.waitlist_intro": "Neue Anmeldung auf der Warteliste (Nummer {position}, Platz {place}) "
    "zu: {title} ({when})",
    "mail.organiser.reply_hint": "Mit „Antworten“ schreiben Sie direkt an {name}.",
    "mail.organiser.registered_at": "Eingegangen",
    "mail.organiser.registration_id": "Anmeldungs-ID",
    "mail.yes": "ja",
    "mail.no": "nein",
    # Dates in mails.
    "date.weekdays": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "date.months": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "date.format": "{weekday}, {day}. {month} {year}, {start}–{end} Uhr",
    "date.format_open_end": "{weekday}, {day}. {month} {year}, ab {start} Uhr",
    # Mails to the registrant.
    "mail.hello": "Guten Tag {name},",
    "mail.when": "Wann",
    "mail.where": "Wo",
    "mail.your_details": "Ihre Angaben",
    "mail.contact": "Fragen beantwortet {contact}.",
    "mail.signature": "Mit freundlichen Grüßen\n{organisers}",
    "mail.confirmed.subject": "Anmeldung bestätigt: {title}",
    "mail.confirmed.intro": "vielen Dank für Ihre Anmeldung. Ihr Platz ist reserviert, wir freuen uns auf Sie!",
    "mail.promoted.subject": "Ein Platz ist frei geworden: {title}",
    "mail.promoted.intro": "gute Nachricht: Ein Platz ist frei geworden, und Sie sind von der Warteliste nachgerückt. "
    "Ihre Anmeldung ist damit bestätigt.",
    "mail.calendar_hint": "Den Termin für Ihren Kalender finden Sie im Anhang ({file}).",
    "mail.cancel_hint": "Falls Sie doch nicht kommen können, sagen Sie bitte ab, damit jemand anderes Ihren Platz "
    "bekommt:",
    "mail.cancel_link": "Anmeldung absagen",
    "mail.waitlisted.subject": "Warteliste: {title}",
    "mail.waitlisted.intro": "vielen Dank für Ihre Anmeldung. Die Veranstaltung ist leider ausgebucht; Sie stehen auf "
    "Platz {place} der Warteliste. Wird ein Platz frei, rücken Sie automatisch nach und erhalten eine Bestätigung "
    "mit Kalendereintrag.",
    "mail.waitlist_cancel_hint": "Wenn Sie nicht mehr nachrücken möchten, nehmen Sie sich hier von der Warteliste:",
    "mail.cancelled.subject": "Abmeldung bestätigt: {title}",
    "mail.cancelled.intro": "Sie haben Ihre Anmeldung abgesagt. Schade, dass Sie nicht dabei sein können.",
    # Mails to the organisers about changes.
    "mail.organiser.cancelled_subject": "Abmeldung: {title} – {name}",
    "mail.organiser.cancelled_intro": "{name} ({email}) hat die Anmeldung zu {title} abgesagt.",
    "mail.organiser.cancelled_waitlisted_intro": "{name} ({email}) hat sich von Platz {position} der Warteliste "
    "zu {title} abgemeldet.",
    "mail.organiser.promoted_subject": "Nachgerückt: {title} – {name}",
    "mail.organiser.promoted_intro": "{name} ({email}) ist von Platz {position} der Warteliste nachgerückt und hat "
    "jetzt einen bestätigten Platz bei {title}.",
    # Mails to the organisers when a mail to a registrant did not arrive.
    "mail.organiser.undeliverable_subject": "Nicht zugestellt: Mail an {name} – {title}",
    "mail.organiser.undeliverable_intro": "Die {mail} an {name} ({email}) zu {title} konnte nicht zugestellt werden. "
    "Die Anmeldung selbst ist gespeichert.",
    "mail.organiser.undeliverable_advice": "Bitte prüfen Sie die Adresse und geben Sie der Person auf anderem Weg "
    "Bescheid, zum Beispiel mit „Antworten“ oder telefonisch.",
    "mail.organiser.bounced_subject": "Adresse unzustellbar: {name} – {title}",
    "mail.organiser.bounced_intro": "Die Mail an {email} kam als unzustellbar zurück: Vermutlich enthält die Adresse "
    "einen Tippfehler. {name} ist für {title} angemeldet, hat aber unsere Bestätigung nicht erhalten.",
    "mail.organiser.bounced_advice": "Die Anmeldung und ihr Platz bleiben bestehen, aber Erinnerung und Absage-Link "
    "erreichen die Person an dieser Adresse nicht. Bitte erreichen Sie sie auf anderem Weg, etwa über ihre "
    "Organisation{phone}, und schicken Sie ihr das Nötige selbst; eine Adresse ändern kann der Dienst nicht.",
    "mail.organiser.bounced_phone": " oder die Telefonnummer unten",
    "mail.reason": "Grund",
    "mail.kind.registrant_confirmed": "Anmeldebestätigung",
    "mail.kind.registrant_promoted": "Nachrück-Bestätigung",
    "mail.kind.registrant_waitlisted": "Wartelisten-Bestätigung",
    "mail.kind.registrant_cancelled": "Abmeldebestätigung",
    "mail.failure.unbuildable": "Die Mail ließ sich aus den Angaben nicht erstellen.",
    "mail.failure.recipient_rejected": "Der Mailversand (Amazon SES) hat die Empfängeradresse abgelehnt. Solange das "
    "AWS-Konto in der SES-Sandbox ist, gehen Mails nur an bestätigte Adressen.",
    "mail.failure.message_rejected": "Der Mailversand (Amazon SES) hat die Nachricht abgelehnt.",
    "mail.failure.invalid_message": "Der Mailversand (Amazon SES) hält die Adresse oder die Nachricht für ungültig.",
    # The reminder before the day.
    "mail.reminder.subject": "Erinnerung: {title}",
    "mail.reminder.intro": "bald ist es so weit: Wir erwarten Sie am {when}. Hier noch einmal alles Wichtige.",
    "mail.reminder.cancel_hint": "Sie können doch nicht? Geben Sie Ihren Platz frei, damit jemand anderes kommen kann:",
    "mail.kind.registrant_reminder": "Erinnerung",
    # The closing mail to the organisers when registration closes.
    "mail.closing.subject": "Anmeldeschluss: {title}",
    "mail.closing.deadline": "Die Anmeldefrist für {title} ({when}) ist abgelaufen. Hier ist der Stand.",
    "mail.closing.closed": "Die Anmeldung zu {title} ({when}) ist geschlossen. Hier ist der Stand.",
    "mail.closing.full": "Alle Plätze für {title} ({when}) sind vergeben, und es gibt keine Warteliste: Das Formular "
    "nimmt keine Anmeldungen mehr an. Hier ist der Stand.",
    "mail.closing.full_reopens": "Sagt jemand ab, wird der Platz wieder frei und das Formular nimmt wieder eine "
    "Anmeldung an.",
    "mail.closing.attachments": "Im Anhang finden Sie alle Anmeldungen als Tabelle für Excel ({csv}) und die "
    "Teilnahmeliste zum Ausdrucken und Unterschreiben ({attendance}: im Browser öffnen und drucken).",
    "mail.closing.later": "Spätere Absagen und Nachrücker melden wir Ihnen wie bisher; die aktuelle Liste finden "
    "Sie jederzeit über den Link am Ende dieser Mail.",
    "mail.closing.csv_file": "anmeldungen-{event_id}.csv",
    "mail.closing.attendance_file": "teilnahmeliste-{event_id}.html",
    "mail.count.confirmed": "Bestätigt",
    "mail.count.waiting": "Auf der Warteliste",
    "mail.count.cancelled": "Abgesagt",
    # The organisers' daily digest (organiser_mails: daily).
    "mail.digest.subject": "Tagesübersicht: {title} – {day}",
    "mail.digest.intro": "Diese Änderungen bei den Anmeldungen zu {title} ({when}) bis heute, 8 Uhr, "
    "haben wir Ihnen noch nicht gemeldet.",
    "mail.digest.registered": "Neue Anmeldungen",
    "mail.digest.cancelled": "Absagen",
    "mail.digest.promoted": "Von der Warteliste nachgerückt",
    "mail.digest.none": "keine",
    "mail.digest.now": "Stand jetzt",
    "mail.digest.waitlisted_at": "Warteliste, Nummer {position}",
    "mail.digest.status_cancelled": "abgesagt",
    "mail.digest.confirmed": "bestätigt",
    "date.day": "{day}. {month} {year}",
    # The cancel pages.
    "cancel.title": "Anmeldung absagen",
    "cancel.question": "Möchten Sie Ihre Anmeldung von {name} zu „{title}“ wirklich absagen?",
    "cancel.button": "Ja, Anmeldung absagen",
    "cancel.done": "Ihre Anmeldung ist abgesagt. Sie erhalten eine Bestätigung per E-Mail.",
    "cancel.already": "Diese Anmeldung ist bereits abgesagt. Sie müssen nichts weiter tun.",
    "cancel.invalid": "Dieser Link ist ungültig oder abgelaufen.",
    # The attendance list.
    "list.title": "Teilnahmeliste",
    "list.number": "Nr.",
    "list.name": "Name",
    "list.organisation": "Organisation",
    "list.signature": "Unterschrift",
    # Local times people read: mails, and the CSV export for a mail merge.
    "mail.calendar_file": "einladung.ics",
    "date.stamp": "{day:0>2}.{month}.{year}, {time}",
    "date.stamp_months": "01 02 03 04 05 06 07 08 09 10 11 12",
    "export.registration_id": "Anmeldungs-ID",
    "export.status": "Status",
    "export.waitlist_place": "Platz auf der Warteliste",
    "export.registered_at": "Angemeldet am",
    "export.promoted_at": "Nachgerückt am",
    "export.cancelled_at": "Abgesagt am",
    "export.consent_at": "Eingewilligt am",
    "export.consent_version": "Fassung der Einwilligung",
    "export.lang": "Sprache",
    "export.mail_problem": "Mail-Problem",
    "export.status.confirmed": "bestätigt",
    "export.status.waitlisted": "Warteliste",
    "export.status.cancelled": "abgesagt",
    "export.mail_problem.bounced": "unzustellbar",
    "export.mail_problem.complaint": "als Spam gemeldet",
    # The organisers' live list: the link in their mails and the page it opens.
    "live.mail_hint": "Alle Anmeldungen mit dem aktuellen Stand, zum Ansehen, Drucken und als Tabelle für Excel, "
    "finden Sie jederzeit unter diesem Link. Wer ihn hat, sieht alle Anmeldungen: Bitte geben Sie ihn nur im "
    "Organisationsteam weiter.",
    "live.mail_link": "Aktuelle Liste der Anmeldungen",
    "live.heading": "Liste der Anmeldungen",
    "live.title": "Anmeldungen: {title}",
    "live.as_of": "Stand: {time}",
    "live.private": "Nur für das Organisationsteam: Wer diesen Link hat, sieht alle Anmeldungen. Bitte geben Sie "
    "ihn nicht weiter.",
    "live.csv": "Als Tabelle für Excel (CSV)",
    "live.attendance": "Teilnahmeliste zum Unterschreiben",
    "live.confirmed": "Bestätigt ({count})",
    "live.waiting": "Warteliste ({count})",
    "live.cancelled": "Abgesagt ({count})",
    "live.none": "Noch keine Anmeldungen.",
    "live.number": "Nr.",
    "live.place": "Platz",
    "live.name": "Name",
    "live.registered_at": "Angemeldet am",
    "live.mail_problem.bounced": "Adresse unzustellbar",
    "live.mail_problem.complaint": "hat unsere Mail als Spam gemeldet",
    "live.invalid": "Dieser Link ist ungültig oder abgelaufen. Die aktuelle Liste öffnen Sie mit dem Link in der "
    "neuesten Mail des Anmeldedienstes.",
    "live.unknown_format": "Dieses Format gibt es nicht.",
    # Telling registrants of a change or a cancellation (notify-change, cancel-event).
    "mail.changed.subject": "Geändert: {title}",
    "mail.changed.intro": "bei der Veranstaltung, zu der Sie angemeldet sind, hat sich etwas geändert. Bitte "
    "beachten Sie:",
    "mail.changed.was": "{label} (bisher)",
    "mail.changed.now": "{label} (neu)",
    "mail.changed.no_location": "keine Angabe",
    "mail.changed.calendar_hint": "Im Anhang ({file}) finden Sie den geänderten Termin für Ihren Kalender; er "
    "ersetzt den bisherigen Eintrag.",
    "mail.changed.cancel_hint": "Falls Sie nun nicht kommen können, sagen Sie bitte ab, damit jemand anderes Ihren "
    "Platz bekommt:",
    "mail.changed.waitlisted": "Sie stehen weiterhin auf der Warteliste. Wird ein Platz frei, rücken Sie wie bisher "
    "automatisch nach.",
    "mail.kind.registrant_changed": "Mitteilung über die Änderung",
    "mail.event_cancelled.subject": "Veranstaltung abgesagt: {title}",
    "mail.event_cancelled.intro": "leider müssen wir die Veranstaltung absagen, zu der Sie angemeldet sind. Sie "
    "findet nicht statt.",
    "mail.event_cancelled.calendar_hint": "Mit der Datei im Anhang ({file}) entfernen Sie den Termin aus Ihrem "
    "Kalender.",
    "mail.event_cancelled.nothing_to_do": "Sie müssen nichts weiter tun.",
    "mail.event_cancelled.calendar_file": "absage.ics",
    "mail.kind.registrant_event_cancelled": "Absage der Veranstaltung",
    "mail.organiser.event_cancelled_subject": "Veranstaltung abgesagt: {title}",
    "mail.organiser.event_cancelled_intro": "{title} ({when}) ist abgesagt. Das Formular nimmt keine Anmeldungen "
    "mehr an, und es gehen keine Erinnerungen mehr hinaus. Wir haben allen Angemeldeten die Absage geschickt (wer "
    "einen bestätigten Platz hatte, mit einer Datei, die den Termin aus dem Kalender entfernt).",
    "mail.organiser.event_cancelled_told": "Benachrichtigt (bestätigt oder auf der Warteliste)",
    "mail.organiser.event_cancelled_not_delivered": "Nicht zugestellt",
    "mail.organiser.event_cancelled_advice": "Zu jeder Mail, die nicht zugestellt werden konnte, erhalten Sie eine "
    "eigene Nachricht „Nicht zugestellt: …“: Bitte geben Sie diesen Personen auf anderem Weg Bescheid.",
}

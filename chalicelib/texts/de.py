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
    "mail.calendar_hint": "Den Termin für Ihren Kalender finden Sie im Anhang (einladung.ics).",
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
    "mail.organiser.bounced_advice": "Bitte erreichen Sie die Person auf anderem Weg, etwa über die Organisation oder "
    "die Telefonnummer unten, und fragen Sie nach der richtigen Adresse.",
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
    "mail.closing.later": "Spätere Absagen und Nachrücker melden wir Ihnen wie bisher; die aktuelle Liste bekommen "
    "Sie jederzeit über den Export.",
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
}

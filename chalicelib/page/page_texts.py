"""The registration page's own texts, German and English (the event's language decides).

Field labels of the standard fields and the date words come from `chalicelib.texts`, so
the page names a field as the API's error messages do. Kept apart from the messages because
only the command line builds pages (and the API's answers to a page without JavaScript,
which draw its form again).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Anmeldung: {title}",
        "kicker": "Anmeldung",
        "when": "Wann",
        "where": "Wo",
        "opens": "Anmeldung ab",
        "deadline": "Anmeldeschluss",
        "places": "Plätze",
        "places_waitlist": "{capacity}, danach Warteliste",
        "contact": "Fragen an",
        "phone": "Telefon",
        "legend": "Ihre Angaben",
        "required_hint": "Pflichtfelder sind mit * markiert.",
        "choose": "Bitte wählen",
        "several": "(mehrere möglich)",
        "message": "Nachricht an das Organisationsteam",
        "honeypot": "Website (bitte leer lassen)",
        "consent_version": "Fassung der Einwilligungserklärung: {version}.",
        "privacy_link": "Datenschutzhinweise lesen",
        "submit": "Verbindlich anmelden",
        "date": "{weekday}, {day}. {month} {year}",
        "date_time": "{date}, {time} Uhr",
        "span": "{start} bis {end}",
        # The privacy notice next to the form (docs/privacy.md has the full template).
        "privacy.title": "Datenschutzhinweise zur Anmeldung",
        "privacy.adapt": "Ein Beispiel zum Anpassen; die ausführliche Vorlage steht in docs/privacy.md "
        "des Anmeldedienstes.",
        "privacy.who": "Wer:",
        "privacy.who_text": "Verantwortlich ist die veranstaltende Organisation (Name, Anschrift, Kontakt).",
        "privacy.what": "Was und wozu:",
        "privacy.what_text": "Ihre Angaben aus dem Formular verwenden wir, um die Veranstaltung zu organisieren "
        "(Teilnehmendenliste, Rückfragen, Bestätigung per E-Mail), auf Grundlage Ihrer Einwilligung "
        "(Art. 6 Abs. 1 lit. a DSGVO), die Sie jederzeit widerrufen können.",
        "privacy.how_long": "Wie lange:",
        "privacy.how_long_text": "Wir löschen Ihre Angaben {days} Tage nach der Veranstaltung.",
        "privacy.how_long_one_day": "Wir löschen Ihre Angaben einen Tag nach der Veranstaltung.",
        "privacy.how_long_at_once": "Wir löschen Ihre Angaben gleich nach der Veranstaltung.",
        "privacy.recipients": "Wer sie erhält:",
        "privacy.recipients_text": "die Organisatorinnen und Organisatoren der Veranstaltung, per E-Mail und über "
        "eine geschützte Teilnehmendenliste, deren Link nur sie erhalten; gespeichert und versendet werden sie bei "
        "Amazon Web Services (Frankfurt) als Auftragsverarbeiter.",
        "privacy.rights": "Ihre Rechte:",
        "privacy.rights_text": "Auskunft, Berichtigung, Löschung, Einschränkung, Widerspruch und Beschwerde bei "
        "einer Aufsichtsbehörde. Schreiben Sie uns dazu an die oben genannte Adresse.",
        "privacy.back": "Zurück zur Anmeldung",
    },
    "en": {
        "title": "Registration: {title}",
        "kicker": "Registration",
        "when": "When",
        "where": "Where",
        "opens": "Registration opens",
        "deadline": "Register by",
        "places": "Places",
        "places_waitlist": "{capacity}, then a waiting list",
        "contact": "Questions to",
        "phone": "phone",
        "legend": "Your details",
        "required_hint": "Fields marked * are required.",
        "choose": "Please choose",
        "several": "(choose any)",
        "message": "Message to the organisers",
        "honeypot": "Website (please leave empty)",
        "consent_version": "Version of this consent statement: {version}.",
        "privacy_link": "Read the privacy notice",
        "submit": "Register",
        "date": "{weekday}, {day} {month} {year}",
        "date_time": "{date}, {time}",
        "span": "{start} to {end}",
        "privacy.title": "Privacy notice for the registration",
        "privacy.adapt": "An example to adapt; the full template is in docs/privacy.md of the registration service.",
        "privacy.who": "Who:",
        "privacy.who_text": "The organisation holding the event is responsible (name, address, contact).",
        "privacy.what": "What and why:",
        "privacy.what_text": "We use the details you give in the form to organise the event (list of participants, "
        "questions, confirmation by e-mail), based on your consent (Art. 6(1)(a) GDPR), which you may withdraw at "
        "any time.",
        "privacy.how_long": "How long:",
        "privacy.how_long_text": "We delete your details {days} days after the event.",
        "privacy.how_long_one_day": "We delete your details one day after the event.",
        "privacy.how_long_at_once": "We delete your details right after the event.",
        "privacy.recipients": "Who receives them:",
        "privacy.recipients_text": "the organisers of the event, by e-mail and through a protected list of "
        "participants whose link only they receive; they are stored and sent by Amazon Web Services (Frankfurt) as "
        "our processor.",
        "privacy.rights": "Your rights:",
        "privacy.rights_text": "access, rectification, erasure, restriction, objection, and complaint to a "
        "supervisory authority. Write to us at the address above.",
        "privacy.back": "Back to the registration",
    },
}

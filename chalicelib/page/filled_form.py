"""The registration form once more, filled in with what a person sent and each refusal beside
its field: the API's answer to a page without JavaScript, so that nothing typed is lost.

It draws the fields the generated page draws (`fields.form_fields`), with the page's labels and
marks, in the answer's language. Built as an element tree with the standard library, not by
joining strings: the serialiser escapes every text and attribute value, so no value can be
forgotten. (jinja2 and markupsafe would do the same, but the Lambda package carries neither:
see `render`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree

from chalicelib.model.events import Event
from chalicelib.model.submission import TRUE_WORDS
from chalicelib.page.fields import FormField, form_fields
from chalicelib.page.page_texts import TEXTS
from chalicelib.texts import text

Element = ElementTree.Element
# The honeypot's place, as the template has it: off screen even without the stylesheet.
_OFF_SCREEN = "position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden"


def form_again(
    event: Event, language: str, posted: Sequence[tuple[str, str]], problems: Sequence[tuple[str, str]]
) -> str:
    """HTML: the `problems` ((field, message), in form order) as a list linking to their fields,
    then the form posting to the page's own URL (the registration endpoint) with `posted`
    filled in and each problem beside its field. A field the form does not have (a page adapted
    by hand) is left out, so sending the form again cannot be refused for it."""
    values: dict[str, list[str]] = {}
    for name, value in posted:
        values.setdefault(name, []).append(value)
    notes: dict[str, str] = {}
    for name, message in problems:
        notes.setdefault(name, message)
    fields = form_fields(event, language)
    parts = [_summary(problems, {f.name: _first_id(f) for f in fields} | {"consent": "consent"}, language)]
    parts.append(_form(event, language, fields, values, notes))
    return "".join(ElementTree.tostring(part, encoding="unicode", method="html") for part in parts if part is not None)


def _summary(problems: Sequence[tuple[str, str]], anchors: dict[str, str], language: str) -> Element | None:
    if not problems:
        return None
    box = Element("div", {"class": "form-status error"})
    _add(box, "p", text(language, "page.fix"))
    listed = ElementTree.SubElement(box, "ul")
    for name, message in problems:
        item = ElementTree.SubElement(listed, "li")
        if name in anchors:
            _add(item, "a", message, href=f"#{anchors[name]}")
        else:
            item.text = message
    return box


def _form(
    event: Event, language: str, fields: list[FormField], values: dict[str, list[str]], notes: dict[str, str]
) -> Element:
    t = TEXTS[language]
    form = Element("form", {"id": "registration", "method": "post", "novalidate": "", "accept-charset": "UTF-8"})
    box = ElementTree.SubElement(form, "fieldset", {"id": "fields"})
    _add(box, "legend", t["legend"])
    _add(box, "p", t["required_hint"], **{"class": "hint"})
    for field in fields:
        _draw(box, field, values.get(field.name, []), notes.get(field.name), t)
    trap = ElementTree.SubElement(box, "div", {"class": "hp", "aria-hidden": "true", "style": _OFF_SCREEN})
    _add(trap, "label", t["honeypot"], **{"for": "website"})
    _add(
        trap,
        "input",
        None,
        id="website",
        name="website",
        tabindex="-1",
        autocomplete="off",
        **_value(values, "website"),
    )
    # Kept as sent: the time trap measures from when the page was first opened.
    _add(box, "input", None, type="hidden", name="form_started_at", **_value(values, "form_started_at", ""))
    # The answer's language rather than what was sent: a `lang` nobody can see must not be refused again.
    _add(box, "input", None, type="hidden", name="lang", value=language)
    consent = FormField("consent", event.consent.text_in(language), "checkbox", required=True)
    _draw(box, consent, values.get("consent", []), notes.get("consent"), t)
    _add(box, "p", t["consent_version"].format(version=event.consent.version), **{"class": "hint"})
    _add(box, "button", t["submit"], id="submit", type="submit")
    return form


def _draw(parent: Element, field: FormField, sent: list[str], note: str | None, t: dict[str, str]) -> None:
    """One field as the template draws it, `sent` filled in, `note` after it (a group's inside
    its fieldset, under the choices), as the page's script places the API's field errors."""
    label = field.label + (" *" if field.required else "")
    required = {"required": ""} if field.required else {}
    name = field.name
    if field.kind in ("radios", "checkboxes"):
        group = ElementTree.SubElement(parent, "fieldset", {"class": "group"})
        if field.kind == "checkboxes":
            group.set("data-multiple", "")
        legend = _add(group, "legend", label)
        if field.kind == "checkboxes":
            legend.text = f"{label} "
            _add(legend, "span", t["several"], **{"class": "several"})
        kind = {"type": "radio", **required} if field.kind == "radios" else {"type": "checkbox"}
        inputs = []
        for number, (choice, shown) in enumerate(field.options(), start=1):
            check = ElementTree.SubElement(group, "div", {"class": "check"})
            ticked = {"checked": ""} if choice in sent else {}
            inputs.append(_add(check, "input", None, id=f"{name}-{number}", name=name, value=choice, **kind, **ticked))
            _add(check, "label", shown, **{"for": f"{name}-{number}"})
        _note(group, inputs, note, f"{name}-error")
        return
    if field.kind == "checkbox":
        check = ElementTree.SubElement(parent, "div", {"class": "check"})
        ticked = {"checked": ""} if any(v.strip().lower() in TRUE_WORDS for v in sent) else {}
        box = _add(check, "input", None, id=name, name=name, type="checkbox", value="on", **required, **ticked)
        _add(check, "label", label, **{"for": name})
        _note(parent, [box], note, f"{name}-error")
        return
    _add(parent, "label", label, **{"for": name})
    if field.kind == "select":
        control = _add(parent, "select", None, id=name, name=name, **required)
        _add(control, "option", t["choose"], value="")
        for choice, shown in field.options():
            _add(control, "option", shown, value=choice, **({"selected": ""} if choice in sent else {}))
    elif field.kind == "textarea":
        control = _add(parent, "textarea", None, id=name, name=name, rows="4", **required)
        control.set("maxlength", str(field.max_length))
        # A parser drops one line break right after <textarea>: this one, not the person's.
        control.text = "\n" + sent[0] if sent else None
    else:
        attributes = {"type": field.input_type} if field.input_type != "text" else {}
        if field.autocomplete:
            attributes["autocomplete"] = field.autocomplete
        if field.max_length:
            attributes["maxlength"] = str(field.max_length)
        control = _add(
            parent, "input", None, id=name, name=name, **attributes, **required, **_value({name: sent}, name)
        )
    _note(parent, [control], note, f"{name}-error")


def _note(parent: Element, inputs: list[Element], note: str | None, note_id: str) -> None:
    if note is None:
        return
    for control in inputs:
        control.set("aria-invalid", "true")
        control.set("aria-describedby", note_id)
    _add(parent, "p", note, id=note_id, **{"class": "field-error"})


def _first_id(field: FormField) -> str:
    """Where a link to the field goes: its input, or the first of its choices."""
    return f"{field.name}-1" if field.kind in ("radios", "checkboxes") else field.name


def _value(values: dict[str, list[str]], name: str, default: str | None = None) -> dict[str, str]:
    sent = values.get(name)
    value = sent[0] if sent else default
    return {} if value is None else {"value": value}


def _add(parent: Element, tag: str, content: str | None, **attributes: str) -> Element:
    element = ElementTree.SubElement(parent, tag, attributes)
    element.text = content
    return element

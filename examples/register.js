// Progressive enhancement for the registration form: posts JSON with fetch, shows the
// outcome in place, marks refused fields, sends the same registration again by itself when
// the service is busy (429/503), and reads the event to show the deadline in the reader's
// local time and the seats left, or why nobody can register now (not open yet: unlocking the
// form by itself when it opens; closed; fully booked). Without JavaScript the form still
// posts as HTML.
// Made by `python -m chalicelib.cli page`; the same for every event.
(function () {
  "use strict";

  var form = document.getElementById("registration");
  if (!form || !window.fetch) return;

  var fields = document.getElementById("fields");
  var status = document.getElementById("form-status");
  var eventStatus = document.getElementById("event-status");
  var button = document.getElementById("submit");
  var eventUrl = form.action.replace(/\/registrations$/, "");
  var language = document.documentElement.lang || "de";
  var texts = {
    de: {
      deadline: "Anmeldung bis ",
      localTime: " (Ihre Ortszeit).",
      seats: function (n) { return n === 1 ? " Noch 1 Platz frei." : " Noch " + n + " Plätze frei."; },
      waitlist: " Alle Plätze sind vergeben; neue Anmeldungen kommen auf die Warteliste.",
      opens: function (when) {
        return " Sie öffnet am " + when + ". Kommen Sie dann wieder – oder lassen Sie diese Seite offen: " +
          "Das Formular wird dann von selbst freigeschaltet.";
      },
      fix: "Das fehlt oder passt noch nicht:",
      sending: "Wird gesendet …",
      again: "Einen Moment bitte – wir senden Ihre Anmeldung gleich noch einmal.",
      busy: "Der Dienst ist gerade überlastet. Bitte versuchen Sie es in einer Minute noch einmal.",
      network: "Die Anmeldung konnte nicht gesendet werden. Bitte prüfen Sie Ihre Internetverbindung und versuchen Sie es noch einmal.",
      notAllowed: "Dieses Formular ist auf dieser Seite noch nicht freigeschaltet, Ihre Anmeldung kam nicht an. Bitte melden Sie sich auf anderem Weg bei den Veranstaltenden.",
      mailHint: " Sie erhalten gleich eine Bestätigung per E-Mail."
    },
    en: {
      deadline: "Register by ",
      localTime: " (your local time).",
      seats: function (n) { return n === 1 ? " 1 place left." : " " + n + " places left."; },
      waitlist: " All places are taken; new registrations go on the waiting list.",
      opens: function (when) {
        return " It opens on " + when + ". Come back then – or leave this page open: the form unlocks by itself.";
      },
      fix: "This is missing or not right yet:",
      sending: "Sending …",
      again: "One moment please – we are sending your registration again.",
      busy: "The service is busy right now. Please try again in a minute.",
      network: "The registration could not be sent. Please check your connection and try again.",
      notAllowed: "This form is not yet enabled on this page, so your registration did not arrive. Please contact the organisers another way.",
      mailHint: " You will receive a confirmation by e-mail shortly."
    }
  }[language] || {};

  // The fields every registration may send, and those it must (from the API's own model).
  var STANDARD_FIELDS = ["given_name", "family_name", "email", "organisation", "role", "phone", "message", "consent", "website", "lang", "form_started_at"];
  var REQUIRED_FIELDS = ["given_name", "family_name", "email", "consent"];
  // Why nobody can register now, in the API's own words, by the event's `refused_with`.
  var REFUSALS = {"de": {"event_full": "Die Veranstaltung ist leider ausgebucht.", "registration_closed": "Die Anmeldung zu dieser Veranstaltung ist geschlossen.", "registration_not_open": "Die Anmeldung zu dieser Veranstaltung ist noch nicht ge\u00f6ffnet."}, "en": {"event_full": "Sorry, the event is fully booked.", "registration_closed": "Registration for this event is closed.", "registration_not_open": "Registration for this event has not opened yet."}}[language] || {};

  // A busy service (429 or 503: throttled by the gateway or DynamoDB, no Lambda free, or
  // `too_fast`) gets the same body again after its Retry-After, at most this often, waiting
  // at most this long; the API answers the same submission sent again with the first one's 201.
  var MAX_RESENDS = 3;
  var MAX_WAIT_SECONDS = 30;
  // Without a Retry-After the page may read: 2, 4, then 8 seconds.
  var DEFAULT_WAIT_SECONDS = 2;

  // A page open before registration opens reads the event again at the opening, by the
  // reader's clock; a clock running ahead (or a failed read) reads it again this much later.
  var REREAD_SECONDS = 30;
  // The longest wait setTimeout takes (about 24 days); a longer one would end at once.
  var MAX_TIMER_MS = 2147483647;

  // A person takes longer than a bot: the server ignores posts made too soon after this.
  form.elements.form_started_at.value = String(Date.now());

  // A page adapted by hand or built by a CMS can drift from the event: a required question
  // without a field, a renamed field or a mistyped choice makes the API refuse every
  // registration. Whoever builds the page looks at the console: say it there.
  function checkFields(event) {
    if (!event.questions || !window.console || !console.warn) return;
    var prefix = "Registration form for event \"" + event.event_id + "\": ";
    var questions = {};
    event.questions.forEach(function (question) { questions[question.id] = question; });
    var names = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) return;
      names[input.name] = true;
      var question = questions[input.name];
      var offered = (input.type === "radio" || input.type === "checkbox") ? [input.value]
        : input.tagName === "SELECT" ? Array.prototype.map.call(input.options, function (o) { return o.value; })
        : [];
      if (!question || !question.choices) return;
      offered.forEach(function (value) {
        if (value !== "" && question.choices.indexOf(value) < 0) {
          console.warn(prefix + "\"" + value + "\" is not one of the choices of \"" + question.id +
            "\" (" + question.choices.join(", ") + "); choosing it is refused (invalid_choice).");
        }
      });
    });
    REQUIRED_FIELDS.concat(event.questions.filter(function (q) { return q.required; })
      .map(function (q) { return q.id; })).forEach(function (name) {
      if (!names[name]) {
        console.warn(prefix + "the form has no field \"" + name + "\", which the event requires; " +
          "every registration will be refused (required).");
      }
    });
    Object.keys(names).forEach(function (name) {
      if (STANDARD_FIELDS.indexOf(name) < 0 && !questions[name]) {
        console.warn(prefix + "the form has a field \"" + name + "\" the event does not know; " +
          "every registration that sends it will be refused (unknown_field).");
      }
    });
  }

  function disable(message) {
    fields.disabled = true;
    eventStatus.textContent = message;
  }

  function readEvent() {
    return fetch(eventUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  // When registration opens, in the event's own zone with its name; in the reader's (named
  // too) if the browser does not know that zone.
  function openingTime(event) {
    var options = {
      weekday: "long", day: "numeric", month: "long", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short", timeZone: event.timezone
    };
    var opens = new Date(event.registration_opens_at);
    try {
      return new Intl.DateTimeFormat(language, options).format(opens);
    } catch (unknownZone) {
      delete options.timeZone;
      return new Intl.DateTimeFormat(language, options).format(opens);
    }
  }

  function readAgainAtOpening(event) {
    var wait = Date.parse(event.registration_opens_at) - Date.now();
    setTimeout(function () {
      readEvent().then(function (again) {
        if (again) showState(again);
        else readAgainAtOpening(event);
      }, function () { readAgainAtOpening(event); });
    }, Math.min(wait > 0 ? wait : REREAD_SECONDS * 1000, MAX_TIMER_MS));
  }

  // What the event says now: why nobody can register (the form locked), or the deadline and
  // the seats left (the form open, also once it opened while the page was open).
  function showState(event) {
    if (!event.open) {
      var message = REFUSALS[event.refused_with] || REFUSALS.registration_closed;
      if (event.refused_with === "registration_not_open" && event.registration_opens_at) {
        message += texts.opens(openingTime(event));
        readAgainAtOpening(event);
      }
      disable(message);
      return;
    }
    fields.disabled = false;
    var deadline = new Intl.DateTimeFormat(language, { dateStyle: "full", timeStyle: "short" })
      .format(new Date(event.registration_deadline));
    var seats = "";
    if (event.seats_left === 0) seats = texts.waitlist;
    else if (typeof event.seats_left === "number") seats = texts.seats(event.seats_left);
    eventStatus.textContent = texts.deadline + deadline + texts.localTime + seats;
  }

  readEvent()
    .then(function (event) {
      if (!event) return;
      checkFields(event);
      showState(event);
    })
    .catch(function () { /* the form works without these details */ });

  function clearErrors() {
    status.textContent = "";
    status.className = "form-status";
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (p) { p.remove(); });
  }

  // The inputs of a field: one, or a group of radios or tick boxes sharing the name.
  function inputsOf(name) {
    var found = form.elements[name];
    if (!found) return [];
    return found.id !== undefined ? [found] : Array.prototype.slice.call(found);
  }

  function markField(error) {
    var inputs = inputsOf(error.field);
    if (!inputs.length || !inputs[0].id) return false;
    var first = inputs[0];
    // A question's radios or tick boxes in their own fieldset get the note at its end.
    var group = inputs.length > 1 || first.type === "radio" ? first.closest("fieldset:not(#fields)") : null;
    var last = inputs[inputs.length - 1];
    var note = document.createElement("p");
    note.className = "field-error";
    note.id = (group ? error.field : first.id) + "-error";
    note.textContent = error.message;
    if (group) group.appendChild(note);
    else if (inputs.length > 1) (last.parentNode.classList.contains("check") ? last.parentNode : last).insertAdjacentElement("afterend", note);
    else (first.type === "checkbox" ? first.parentNode : first).insertAdjacentElement("afterend", note);
    inputs.forEach(function (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
    });
    return true;
  }

  // The errors in the order of their fields on the page (the API's order is its own); those
  // naming no field of the page last.
  function inFormOrder(errors) {
    var names = Array.prototype.map.call(form.elements, function (input) { return input.name; });
    function position(error) {
      var at = names.indexOf(error.field);
      return at < 0 ? names.length : at;
    }
    return errors.slice().sort(function (a, b) { return position(a) - position(b); });
  }

  function showErrors(answer) {
    status.className = "form-status error";
    var heading = document.createElement("p");
    heading.textContent = answer.message + " " + texts.fix;
    var list = document.createElement("ul");
    inFormOrder(answer.errors || []).forEach(function (error) {
      var item = document.createElement("li");
      if (markField(error)) {
        var link = document.createElement("a");
        link.href = "#" + inputsOf(error.field)[0].id;
        link.textContent = error.message;
        item.appendChild(link);
      } else {
        item.textContent = error.message;
      }
      list.appendChild(item);
    });
    status.appendChild(heading);
    status.appendChild(list);
    var first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  function showMessage(text, kind) {
    status.className = "form-status " + kind;
    status.textContent = text;
    status.focus();
  }

  // The form as JSON: a lone tick box is true or false, a group of tick boxes sharing a
  // name (a multi-choice question) is the list of ticked values, radios give the chosen one.
  // A group marked `data-multiple` is a list even with a single tick box.
  function body() {
    var data = {};
    var checkboxes = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.type === "checkbox" && input.name) checkboxes[input.name] = (checkboxes[input.name] || 0) + 1;
    });
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.disabled) return;
      if (input.type === "checkbox" && (checkboxes[input.name] > 1 || input.closest("[data-multiple]"))) {
        data[input.name] = data[input.name] || [];
        if (input.checked) data[input.name].push(input.value);
      } else if (input.type === "checkbox") {
        data[input.name] = input.checked;
      } else if (input.type === "radio") {
        if (input.checked) data[input.name] = input.value;
      } else if (input.multiple && input.selectedOptions) {
        data[input.name] = Array.prototype.map.call(input.selectedOptions, function (o) { return o.value; });
      } else if (input.value !== "") {
        data[input.name] = input.value;
      }
    });
    return JSON.stringify(data);
  }

  // Worth sending again by itself: busy or throttled, but not the hourly limit (an hour away).
  function throttled(status, answer) {
    return (status === 429 || status === 503) && answer.error !== "rate_limited";
  }

  // Milliseconds to wait before sending again: the answer's Retry-After (seconds, or a date)
  // when the browser lets the script read it (across origins only when the API names it in
  // Access-Control-Expose-Headers), else a few seconds, longer each time; capped.
  function retryDelay(response, resends) {
    var header = response.headers.get("Retry-After");
    var seconds = NaN;
    if (header && /^\s*\d+\s*$/.test(header)) seconds = parseInt(header, 10);
    else if (header) seconds = Math.max(0, (Date.parse(header) - Date.now()) / 1000);
    if (!(seconds >= 0)) seconds = DEFAULT_WAIT_SECONDS * Math.pow(2, resends);
    return Math.min(Math.max(seconds, 1), MAX_WAIT_SECONDS) * 1000;
  }

  // The answer's JSON; a busy gateway or proxy may answer with a page of its own.
  function answerOf(response) {
    return response.json().then(null, function (error) {
      if (response.status === 429 || response.status === 503) return {};
      throw error;
    });
  }

  // Posts `data` (always the same body, so `form_started_at` too) until an answer other than
  // busy, or until it was sent again MAX_RESENDS times; the fields stay locked meanwhile.
  function send(data, resends) {
    return fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: data
    }).then(function (response) {
      return answerOf(response).then(function (answer) {
        if (!throttled(response.status, answer) || resends >= MAX_RESENDS) {
          return { status: response.status, answer: answer };
        }
        if (!fields.disabled) { fields.disabled = true; locked = true; }
        showMessage(texts.again, "busy");
        return new Promise(function (resolve) { setTimeout(resolve, retryDelay(response, resends)); })
          .then(function () { return send(data, resends + 1); });
      });
    });
  }

  // The fields locked while waiting to send again (not those `disable` locked: closed, full, or
  // not open yet, which `showState` unlocks when it opens).
  var locked = false;

  function done() {
    if (locked) { fields.disabled = false; locked = false; }
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }

  form.addEventListener("submit", function (submit) {
    submit.preventDefault();
    if (form.getAttribute("aria-busy")) return;
    clearErrors();
    var data = body();
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    showMessage(texts.sending, "busy");
    send(data, 0)
      .then(function (result) {
        done();
        if (result.status === 201) {
          form.hidden = true;
          showMessage(result.answer.message + texts.mailHint, "success");
          readEvent().then(function (event) { if (event) showState(event); }, function () {});  // one seat fewer
        } else if (result.status === 422) {
          status.textContent = "";
          showErrors(result.answer);
        } else {
          var fallback = throttled(result.status, result.answer) ? texts.busy : texts.network;
          showMessage(result.answer.message || fallback, "error");
          if (result.answer.error === "registration_closed" || result.answer.error === "event_full") {
            disable(result.answer.message);
          }
        }
      })
      .catch(function () {
        done();
        // No answer the script may read: offline, or the API refused this page's origin (CORS).
        // An opaque answer to a no-cors request tells the two apart: the API is reachable.
        fetch(eventUrl, { mode: "no-cors" }).then(function () {
          showMessage(texts.notAllowed, "error");
          console.error("registration form: the API does not accept posts from " + location.origin +
            "; add it to the event's allowed_origins and run load-events again.");
        }, function () {
          showMessage(texts.network, "error");
        });
      });
  });
})();

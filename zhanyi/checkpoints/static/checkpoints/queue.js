// The checkpoint officer's phone page: checks kept on the phone (localStorage)
// while the connection is poor, sent to the API when it is back. Each check
// carries the client id the page made for it; the API stores a client id once,
// so sending a check again (a lost answer, a second tap) never doubles it.
(function () {
  "use strict";
  var KEY = "zhanyi.checkpoints.queue";
  var page = document.getElementById("check-page");
  var form = document.getElementById("check-form");
  if (!page || !form) return;
  var api = page.dataset.api;
  var decision = document.getElementById("decision");
  var state = document.getElementById("queue-state");
  var list = document.getElementById("queue-list");
  var sending = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = (Math.random() * 16) | 0;
      return (c === "x" ? r : (r & 3) | 8).toString(16);
    });
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function value(name) {
    var el = form.elements[name];
    if (!el) return "";
    if (el.length !== undefined && el.tagName !== "SELECT") {
      for (var i = 0; i < el.length; i++) if (el[i].checked) return el[i].value;
      return el.length ? (el[el.length - 1].value || "") : "";
    }
    return el.value || "";
  }
  function number(name) {
    var v = value(name).trim();
    return v === "" ? null : parseInt(v, 10);
  }
  function payload() {
    return {
      client_id: value("client_id"),
      station: parseInt(value("station"), 10),
      plate: value("plate"),
      people: number("people") || 0,
      code_colour: value("code_colour"),
      test_age_hours: number("test_age_hours"),
      origin_area: value("origin_area") || value("origin_area__q"),
      origin_city: value("origin_city"),
      destination_area: value("destination_area") || value("destination_area__q"),
      destination: value("destination"),
      person: number("person"),
      name: value("name"),
      identity_number: value("identity_number"),
      phone: value("phone"),
      checked_at: new Date().toISOString(),
    };
  }
  function csrf() { return value("csrfmiddlewaretoken"); }
  function show(outcome, lines) {
    decision.className = "decision outcome-" + outcome;
    decision.textContent = "";
    lines.forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : "div");
      el.textContent = line;
      decision.appendChild(el);
    });
  }
  function clearErrors() {
    form.querySelectorAll(".error[data-for]").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll("ul.errorlist").forEach(function (el) { el.remove(); });
  }
  function showErrors(errors) {
    var rest = [];
    Object.keys(errors).forEach(function (field) {
      var text = [].concat(errors[field]).join(" ");
      var el = form.querySelector('.error[data-for="' + field + '"]');
      if (el) el.textContent = text; else rest.push(text);
    });
    if (rest.length) show("turn_back", rest);
  }
  function fresh() {
    var station = value("station");
    form.reset();
    form.elements.station.value = station;
    form.elements.client_id.value = uuid();
    form.querySelectorAll(".picker-chosen, [data-picker-chosen]").forEach(function (el) { el.remove(); });
  }
  function render() {
    var queue = load();
    state.textContent = queue.length ? page.dataset.waiting + " " + queue.length : "";
    list.textContent = "";
    queue.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.payload.plate + " · " + new Date(item.payload.checked_at).toLocaleTimeString();
      list.appendChild(li);
    });
  }
  // One check to the API: "stored" (with the check), "refused" (with the
  // errors) or "offline" (kept for later).
  function send(item) {
    return fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(item.payload),
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return response.json().then(function (check) { return { status: "stored", check: check }; });
      }
      if (response.status >= 400 && response.status < 500) {
        return response.json().catch(function () { return { detail: response.statusText }; })
          .then(function (errors) { return { status: "refused", errors: errors }; });
      }
      return { status: "offline" };
    }, function () { return { status: "offline" }; });
  }
  function drop(clientId) {
    save(load().filter(function (i) { return i.payload.client_id !== clientId; }));
  }
  function flush() {
    if (sending) return Promise.resolve();
    var queue = load();
    if (!queue.length) { render(); return Promise.resolve(); }
    sending = true;
    var item = queue[0];
    return send(item).then(function (result) {
      sending = false;
      if (result.status === "offline") { render(); return; }
      drop(item.payload.client_id);
      var li = document.createElement("li");
      li.textContent = result.status === "stored"
        ? page.dataset.sent + " " + result.check.plate + " · " + result.check.outcome_label + " · " + result.check.reason
        : page.dataset.refused + " " + item.payload.plate + " · " + JSON.stringify(result.errors);
      render();
      list.appendChild(li);
      return flush();
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var item = { payload: payload() };
    var queue = load();
    queue.push(item);
    save(queue);
    send(item).then(function (result) {
      if (result.status === "offline") {
        show("queued", [item.payload.plate, page.dataset.queued]);
        fresh();
        render();
        return;
      }
      drop(item.payload.client_id);
      if (result.status === "stored") {
        var check = result.check;
        show(check.outcome, [check.plate + " · " + check.outcome_label].concat(check.reasons));
        fresh();
      } else {
        // Refused: the officer corrects this check; the next try is a new check.
        form.elements.client_id.value = uuid();
        showErrors(result.errors);
      }
      render();
      flush();
    });
  });
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  flush();
})();

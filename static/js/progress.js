// Refreshes the response counts on a round's page every 30 seconds. The page is complete
// without this script; it only replaces numbers (as text, never as HTML).
(function () {
  "use strict";
  var section = document.getElementById("progress");
  if (!section || !section.dataset.progressUrl || !window.fetch) return;
  var url = section.dataset.progressUrl;
  var hiddenLabel = section.dataset.hiddenLabel || "–";
  var note = section.querySelector("[data-live-note]");
  if (note) note.hidden = false;

  function setField(name, value) {
    section.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
      el.textContent = value === null || value === undefined ? "–" : String(value);
    });
  }

  function update(data) {
    setField("responses", data.responses);
    setField("invited", data.invited);
    setField("rate_percent", data.rate_percent);
    var bar = section.querySelector("[data-field-bar]");
    if (bar && data.invited) {
      bar.max = data.invited;
      bar.value = Math.min(data.responses, data.invited);
    }
    (data.teams || []).forEach(function (team) {
      var row = section.querySelector('tr[data-team="' + team.position + '"]');
      if (!row) return;
      var count = row.querySelector('[data-cell="count"]');
      var rate = row.querySelector('[data-cell="rate"]');
      if (count) count.textContent = team.count === null ? hiddenLabel : String(team.count);
      if (rate) rate.textContent = team.rate_percent === null ? "–" : team.rate_percent + "%";
    });
    if (data.status !== "open") window.clearInterval(timer);
  }

  function poll() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) update(data); })
      .catch(function () { /* try again at the next tick */ });
  }

  var timer = window.setInterval(poll, 30000);
})();

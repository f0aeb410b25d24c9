/* SKM questionnaire (PermenPANRB 14/2017). The invitation link /skm/{token} brings the
   browser here (/survei/{token}); this script reads the invitation as JSON from
   GET /skm/{token} and sends {"jawaban": {"U1": 4, ...}, "komentar": "..."} with
   POST /skm/{token}. Refusals: 404 unknown, 409 already answered, 410 closed. */
(function () {
  "use strict";
  var form = document.getElementById("form-skm");
  if (!form) { return; }
  var data = form.dataset;
  var status = document.getElementById("skm-status");
  var about = document.getElementById("skm-untuk");
  var url = "/skm/" + encodeURIComponent(data.token);
  var button = form.querySelector("button[type=submit]");
  var optOut = document.getElementById("skm-berhenti");
  var lang = document.documentElement.lang;

  function say(text, kind) {
    status.textContent = text;
    status.className = "alert alert-" + (kind || "info");
  }

  function refusal(code) {
    if (code === 404) { return [data.missing, "info"]; }
    if (code === 409) { return [data.done, "success"]; }
    if (code === 410) { return [data.closed, "info"]; }
    return null;
  }

  function send(target, body) {
    return fetch(target, { method: "POST", credentials: "same-origin",
                           headers: { "Content-Type": "application/json", Accept: "application/json" },
                           body: JSON.stringify(body || {}) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok) {
            var error = new Error((lang === "en" ? json.message_en : json.message_id) || ("HTTP " + response.status));
            error.status = response.status;
            throw error;
          }
          return json;
        });
      });
  }

  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      var refused = refusal(response.status);
      if (refused) { say(refused[0], refused[1]); form.hidden = true; return null; }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (invitation) {
      if (!invitation) { return; }
      var unit = invitation.unit ? invitation.unit.nama : "";
      var period = lang === "en" ? invitation.periode_label_en : invitation.periode_label_id;
      var text = data.about.replace("{unit}", unit).replace("{periode}", period || invitation.periode || "");
      if (invitation.ditutup && invitation.ditutup.wib) { text += " " + data.until.replace("{waktu}", invitation.ditutup.wib); }
      about.textContent = text;
      about.hidden = false;
      button.disabled = false;
      if (optOut) { optOut.hidden = false; }
    }).catch(function () { say(data.failed, "error"); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var answers = {};
    var missing = false;
    form.querySelectorAll("fieldset.skm-item").forEach(function (set) {
      var checked = set.querySelector("input:checked");
      if (!checked) { missing = true; return; }
      answers[checked.name] = parseInt(checked.value, 10);
    });
    if (missing) { say(data.incomplete, "error"); return; }
    button.disabled = true;
    var comment = document.getElementById("komentar").value.trim();
    send(url, comment ? { jawaban: answers, komentar: comment } : { jawaban: answers })
      .then(function () { say(data.thanks, "success"); form.hidden = true; },
            function (error) {
              var refused = refusal(error.status);
              if (refused) { say(refused[0], refused[1]); form.hidden = true; return; }
              button.disabled = false;
              say(data.failed + " " + error.message, "error");
            });
  });

  if (optOut) {
    optOut.addEventListener("click", function () {
      send("/skm/opt-out/" + encodeURIComponent(data.token))
        .then(function () { say(data.stopped, "success"); form.hidden = true; optOut.hidden = true; },
              function (error) { say(data.failed + " " + error.message, "error"); });
    });
  }
})();

/* Tracking page: the reporter adds a photo to their open report. */
(function () {
  "use strict";
  var box = document.getElementById("tambah-foto");
  if (!box) { return; }
  box.hidden = false;
  var input = document.getElementById("foto");
  var note = document.getElementById("foto-status");
  document.getElementById("kirim-foto").addEventListener("click", function () {
    if (!input.files.length) { return; }
    var q = "?token=" + encodeURIComponent(box.dataset.token);
    var base = "/reports/" + encodeURIComponent(box.dataset.ticket);
    note.textContent = "…";
    CRM.upload.upload(base + "/photos" + q, input.files[0])
      .then(function (key) { return CRM.upload.postJson(base + "/photos/attach" + q, { key: key }); })
      .then(function () { note.textContent = box.dataset.done; window.location.reload(); },
            function (error) { note.textContent = box.dataset.failed + " " + (error.message || ""); });
  });
})();

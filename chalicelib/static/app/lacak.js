/* Tracking page: the reporter adds a photo to their open report, and may reopen a finished
   one ("Masalah muncul lagi") with a recent photo. Without this script both forms still
   post to the server (the reopen form without the photo). */
(function () {
  "use strict";

  function addPhoto(ticket, token, file) {
    var q = "?token=" + encodeURIComponent(token);
    var base = "/reports/" + encodeURIComponent(ticket);
    return CRM.upload.upload(base + "/photos" + q, file)
      .then(function (key) { return CRM.upload.postJson(base + "/photos/attach" + q, { key: key }); });
  }

  var box = document.getElementById("tambah-foto");
  if (box) {
    box.hidden = false;
    var input = document.getElementById("foto");
    var note = document.getElementById("foto-status");
    document.getElementById("kirim-foto").addEventListener("click", function () {
      if (!input.files.length) { return; }
      note.textContent = "…";
      addPhoto(box.dataset.ticket, box.dataset.token, input.files[0])
        .then(function () { note.textContent = box.dataset.done; window.location.reload(); },
              function (error) { note.textContent = box.dataset.failed + " " + (error.message || ""); });
    });
  }

  /* Reopen with a photo: reopen through the JSON API (the report is open again), then
     upload the photo to it. A refused reopen falls back to the plain form post, which
     shows the reason. */
  var reopen = document.getElementById("form-buka-kembali");
  if (reopen) {
    var photoBox = document.getElementById("foto-buka-kotak");
    var photo = document.getElementById("foto-buka");
    photoBox.hidden = false;
    reopen.addEventListener("submit", function (event) {
      if (!photo.files || !photo.files.length) { return; }
      event.preventDefault();
      var button = reopen.querySelector("button[type=submit]");
      var ticket = reopen.dataset.ticket;
      var token = reopen.dataset.token;
      var done = reopen.dataset.tracking + "&pesan=dibuka";
      button.disabled = true;
      document.getElementById("buka-status").textContent = reopen.dataset.sending;
      CRM.upload.postJson("/reports/" + encodeURIComponent(ticket) + "/reopen?token=" +
                          encodeURIComponent(token),
                          { note: document.getElementById("catatan-buka").value })
        .then(function () {
          return addPhoto(ticket, token, photo.files[0])
            .then(function () { window.location.assign(done); },
                  function () { window.location.assign(done + "&foto=gagal"); });
        }, function () {
          button.disabled = false;
          HTMLFormElement.prototype.submit.call(reopen);
        });
    });
  }
})();

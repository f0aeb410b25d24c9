/* Officer report page: confirm closing actions, upload before/after photos to S3 and
   attach them to the action form as hidden fields. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });

  var box = document.getElementById("unggah-foto");
  var form = document.getElementById("form-aksi");
  if (!box || !form) { return; }
  box.hidden = false;
  var input = document.getElementById("foto-berkas");
  var kind = document.getElementById("foto-jenis");
  var note = document.getElementById("foto-status");
  var ready = document.getElementById("foto-siap");

  document.getElementById("foto-unggah").addEventListener("click", function () {
    if (!input.files.length) { return; }
    var file = input.files[0];
    var chosen = kind.value;
    note.textContent = "…";
    CRM.upload.upload(box.dataset.presign, file, { kind: chosen },
                      { "X-CSRF-Token": box.dataset.csrf })
      .then(function (key) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "photo";
        hidden.value = chosen + "|" + key;
        form.appendChild(hidden);
        var item = document.createElement("li");
        item.textContent = kind.options[kind.selectedIndex].text + ": " + file.name;
        ready.appendChild(item);
        note.textContent = box.dataset.done;
        input.value = "";
      }, function (error) {
        note.textContent = box.dataset.failed + " " + (error.message || "");
      });
  });
})();

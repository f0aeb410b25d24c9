/* Photo upload straight to S3 with a presigned POST form (the app never relays the bytes). */
(function () {
  "use strict";
  var TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp",
                heic: "image/heic" };

  function contentType(file) {
    if (file.type && Object.values(TYPES).indexOf(file.type) >= 0) { return file.type; }
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    return TYPES[ext] || null;
  }

  function postJson(url, body, headers) {
    var all = Object.assign({ "Content-Type": "application/json", Accept: "application/json" },
                            headers || {});
    return fetch(url, { method: "POST", credentials: "same-origin", headers: all,
                        body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok) {
            var error = new Error(json.message || ("HTTP " + response.status));
            error.status = response.status;
            throw error;
          }
          return json;
        });
      });
  }

  /* presignUrl answers {url, fields, key}; resolves to the stored key. */
  function upload(presignUrl, file, extra, headers) {
    var type = contentType(file);
    if (!type) { return Promise.reject(new Error("type")); }
    return postJson(presignUrl, Object.assign({ content_type: type }, extra || {}), headers)
      .then(function (form) {
        var data = new FormData();
        Object.keys(form.fields).forEach(function (name) { data.append(name, form.fields[name]); });
        data.append("file", file);
        return fetch(form.url, { method: "POST", body: data }).then(function (response) {
          if (!response.ok) { throw new Error("S3 HTTP " + response.status); }
          return form.key;
        });
      });
  }

  window.CRM = window.CRM || {};
  window.CRM.upload = { upload: upload, postJson: postJson, contentType: contentType };
})();

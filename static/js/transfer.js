// Settings → Your data: the Instagram archive goes up in chunks (Content-Range), and a
// dropped connection resumes from what the server says it has; the review's select all/none.
(function () {
  "use strict";

  function csrf(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function post(url, form, body, headers) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": csrf(form) }, headers || {}),
      body: body,
    }).then(function (response) {
      return response.json().then(function (data) {
        data.httpStatus = response.status;
        return data;
      });
    });
  }

  function upload(form) {
    var file = form.querySelector("input[type=file]").files[0];
    var status = form.querySelector("#ig-upload-status");
    var bar = form.querySelector("#ig-upload-progress");
    var chunk = parseInt(form.dataset.chunk, 10);
    if (!file) return;
    bar.hidden = false;
    status.textContent = "Starting…";

    function begin() {
      var resume = form.dataset.resume;
      if (resume && parseInt(form.dataset.resumeSize, 10) === file.size) {
        return fetch("/settings/data/instagram/" + resume + "/status", { credentials: "same-origin" })
          .then(function (r) { return r.json(); });
      }
      var data = new FormData();
      data.append("size", String(file.size));
      return post("/settings/data/instagram/start", form, data);
    }

    function send(state, retries) {
      if (state.error && state.httpStatus !== 409) throw new Error(state.error);
      bar.value = Math.floor((100 * state.received) / file.size);
      if (state.state !== "uploading") {
        status.textContent = "Read. Opening the review…";
        window.location = state.next;
        return null;
      }
      status.textContent = "Uploaded " + Math.floor(state.received / 1048576) + " of " +
        Math.ceil(file.size / 1048576) + " MB";
      var end = Math.min(state.received + chunk, file.size);
      var range = "bytes " + state.received + "-" + (end - 1) + "/" + file.size;
      return post("/settings/data/instagram/" + state.id + "/chunk", form,
        file.slice(state.received, end), { "Content-Range": range, "Content-Type": "application/octet-stream" })
        .then(function (next) { return send(next, 0); })
        .catch(function (err) {
          if (retries >= 5) throw err;
          status.textContent = "Connection lost; trying again…";
          return new Promise(function (ok) { setTimeout(ok, 1000 * (retries + 1)); })
            .then(function () {
              return fetch("/settings/data/instagram/" + state.id + "/status", { credentials: "same-origin" });
            })
            .then(function (r) { return r.json(); })
            .then(function (fresh) { return send(fresh, retries + 1); });
        });
    }

    begin().then(function (state) { return send(state, 0); }).catch(function (err) {
      status.textContent = err.message + " Choose the file again to go on.";
    });
  }

  document.addEventListener("submit", function (event) {
    if (event.target.id === "ig-upload") {
      event.preventDefault();
      upload(event.target);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-ig-all]");
    if (!button) return;
    button.form.querySelectorAll(".ig-item select").forEach(function (select) {
      select.value = button.dataset.igAll;
    });
  });
})();

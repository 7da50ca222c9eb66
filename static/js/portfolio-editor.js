// Project editor: several uploads at once, each with its own progress bar and error; image
// cards that can be dragged, moved with buttons, removed, and marked as the cover.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function messageFrom(xhr) {
    try {
      var data = JSON.parse(xhr.responseText);
      return data.error || data.detail || data.message || "The upload was refused.";
    } catch (e) {
      return xhr.status === 413 ? "The file is too large." : "The upload failed (" + (xhr.status || "network error") + ").";
    }
  }

  function setup(form) {
    var input = document.getElementById("image-files");
    var uploads = document.getElementById("upload-list");
    var list = document.getElementById("image-list");
    var max = parseInt(form.getAttribute("data-images-max"), 10) || 20;

    function imageCount() { return list.querySelectorAll(".image-card").length; }

    function insertCard(assetId, row) {
      var url = form.getAttribute("data-card-url").replace(/\/0\/card$/, "/" + assetId + "/card");
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("Could not show the uploaded image.");
        return response.text();
      }).then(function (html) {
        var holder = document.createElement("ol");
        holder.innerHTML = html;
        var card = holder.firstElementChild;
        list.appendChild(card);
        if (window.htmx) window.htmx.process(card);
        card.querySelectorAll("img[data-color]").forEach(function (img) { img.style.backgroundColor = img.getAttribute("data-color"); });
        if (!list.querySelector("input[name=cover]:checked")) {
          var radio = list.querySelector("input[name=cover]");
          if (radio) radio.checked = true;
        }
        row.remove();
      });
    }

    function fail(row, message) {
      row.classList.add("is-error");
      var bar = row.querySelector("progress");
      if (bar) bar.remove();
      row.appendChild(el("p", "upload-error", message));
      var dismiss = el("button", "tool-button", "Dismiss");
      dismiss.type = "button";
      dismiss.addEventListener("click", function () { row.remove(); });
      row.appendChild(dismiss);
    }

    // One upload at a time: each file still gets its own bar and its own error, a slow
    // connection gives the first image all the bandwidth, and the server sees no burst.
    var queue = [];
    var busy = false;

    function pump() {
      if (busy || !queue.length) return;
      busy = true;
      var job = queue.shift();
      send(job.file, job.row, function () { busy = false; pump(); });
    }

    function upload(file) {
      var row = el("li", "upload-row");
      row.appendChild(el("span", "upload-name", file.name));
      var bar = el("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      row.appendChild(bar);
      uploads.appendChild(row);
      queue.push({ file: file, row: row });
      pump();
    }

    function send(file, row, done) {
      var bar = row.querySelector("progress");
      var data = new FormData();
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-upload-url"));
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          var reply;
          try { reply = JSON.parse(xhr.responseText); } catch (e) { reply = {}; }
          var id = reply.id || (reply.asset && reply.asset.id);
          if (!id) { fail(row, "The server did not confirm the upload."); done(); return; }
          insertCard(String(id), row).catch(function (error) { fail(row, error.message); }).then(done);
        } else {
          fail(row, messageFrom(xhr));
          done();
        }
      });
      xhr.addEventListener("error", function () {
        fail(row, "The upload was interrupted. Check your connection and try again.");
        done();
      });
      xhr.send(data);
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      var room = max - imageCount() - uploads.querySelectorAll(".upload-row:not(.is-error)").length;
      files.forEach(function (file, i) {
        if (i < room) upload(file);
        else {
          var row = el("li", "upload-row");
          row.appendChild(el("span", "upload-name", file.name));
          uploads.appendChild(row);
          fail(row, "A project has at most " + max + " images.");
        }
      });
      input.value = "";
    });

    // Enter in the link box adds the link (elsewhere in the form, Enter saves as before).
    var embedUrl = document.getElementById("embed-url");
    var embedAdd = document.getElementById("embed-add-button");
    if (embedUrl && embedAdd) {
      embedUrl.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); embedAdd.click(); }
      });
    }

    // Card controls: move, remove (delegated, so cards added later work too).
    list.addEventListener("click", function (event) {
      var move = event.target.closest("[data-image-move]");
      var card = event.target.closest(".image-card");
      if (move && card) {
        var step = parseInt(move.getAttribute("data-image-move"), 10);
        if (step < 0 && card.previousElementSibling) list.insertBefore(card, card.previousElementSibling);
        if (step > 0 && card.nextElementSibling) list.insertBefore(card.nextElementSibling, card);
        move.focus();
        return;
      }
      var remove = event.target.closest("[data-image-remove]");
      if (remove && card) {
        var wasCover = card.querySelector("input[name=cover]:checked");
        var next = card.nextElementSibling || card.previousElementSibling;
        card.remove();
        if (wasCover) {
          var radio = list.querySelector("input[name=cover]");
          if (radio) radio.checked = true;
        }
        if (next) { var b = next.querySelector("[data-image-remove]"); if (b) b.focus(); } else input.focus();
      }
    });

    // The preview is the drag handle: a card that is always draggable would fight with text
    // selection in its alt-text box.
    var dragged = null;
    list.addEventListener("pointerdown", function (event) {
      var card = event.target.closest(".image-card");
      if (card) card.draggable = !!event.target.closest(".asset-state");
    });
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".image-card");
      if (!dragged) return;
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-asset-id"));
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest(".image-card");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      dragged = null;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("project-form");
    if (form) setup(form);
  });
})();

// Drag and drop onto Kiln's file inputs. Without this script each input is a plain, styled
// file input (click or keyboard to choose). With it, the input's box becomes a drop zone that
// highlights while files are held over it and lists the chosen files. The input itself stays
// in place and focusable, so the keyboard path (Tab, then Enter or Space) is the browser's own.
// Dropped files go into input.files and a "change" event follows, so the page's own scripts
// (alt-text rows, the project editor's uploads) treat them exactly as picked files.
(function () {
  "use strict";

  function accepts(input, file) {
    var accept = (input.getAttribute("accept") || "").split(",").map(function (s) { return s.trim().toLowerCase(); }).filter(Boolean);
    if (!accept.length) return true;
    var name = file.name.toLowerCase();
    var type = (file.type || "").toLowerCase();
    return accept.some(function (rule) {
      if (rule.charAt(0) === ".") return name.slice(-rule.length) === rule;
      if (rule.slice(-2) === "/*") return type.indexOf(rule.slice(0, -1)) === 0;
      return type === rule;
    });
  }

  function size(bytes) {
    if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function listFiles(input, zone, note) {
    var list = zone.querySelector(".dropzone-files");
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + size(file.size) + ")";
      list.appendChild(item);
    });
    if (note) {
      var item = document.createElement("li");
      item.className = "dropzone-refused";
      item.textContent = note;
      list.appendChild(item);
    }
  }

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function setup(input) {
    if (input.hasAttribute("data-dropzone-ready") || input.disabled) return;
    input.setAttribute("data-dropzone-ready", "");
    var zone;
    if (input.classList.contains("file-input")) {
      // The project editor: the input hides inside an "Add images" button; its uploader
      // (which lists the uploads as cards) is the zone.
      zone = input.closest("fieldset") || input.parentNode;
    } else {
      zone = document.createElement("div");
      zone.className = "dropzone";
      input.parentNode.insertBefore(zone, input);
      zone.appendChild(input);
      var hint = document.createElement("p");
      hint.className = "dropzone-hint";
      hint.setAttribute("aria-hidden", "true");  // the input's own label says what to choose
      hint.textContent = input.multiple ? "or drop files here" : "or drop a file here";
      zone.appendChild(hint);
      var list = document.createElement("ul");
      list.className = "dropzone-files";
      list.setAttribute("aria-live", "polite");
      zone.appendChild(list);
      input.addEventListener("change", function () { listFiles(input, zone); });
    }
    zone.classList.add("is-dropzone");
    var depth = 0;
    zone.addEventListener("dragenter", function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth += 1;
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    });
    zone.addEventListener("dragleave", function (event) {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) zone.classList.remove("is-dragover");
    });
    zone.addEventListener("drop", function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      zone.classList.remove("is-dragover");
      var chosen = new DataTransfer();
      var refused = [];
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) {
        if (!input.multiple && chosen.files.length) return;
        if (accepts(input, file)) chosen.items.add(file); else refused.push(file.name);
      });
      if (chosen.files.length) {
        input.files = chosen.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (refused.length) {
        listFiles(input, zone, "Not accepted here: " + refused.join(", "));
      }
    });
  }

  function scan(root) {
    (root || document).querySelectorAll('input[type="file"]').forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { scan(); });
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();

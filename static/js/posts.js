// Feed behaviours: character counters, alt-text fields for chosen images, htmx error messages.
// No inline scripts anywhere (the CSP forbids them); everything hangs off data attributes.
(function () {
  "use strict";

  function updateCounter(textarea) {
    var out = document.getElementById(textarea.dataset.counter);
    if (!out) return;
    var max = parseInt(textarea.getAttribute("maxlength"), 10) || 2000;
    var left = max - textarea.value.length;
    out.textContent = left + (left === 1 ? " character left" : " characters left");
    out.classList.toggle("counter-over", left < 0);
  }

  // One alt-text box per chosen image, named alt_0..alt_n to match the files' order.
  function renderAltFields(input) {
    var list = document.getElementById(input.dataset.altList);
    if (!list) return;
    var form = input.form;
    var max = parseInt(form.dataset.maxImages, 10) || 10;
    var previous = {};
    list.querySelectorAll("textarea").forEach(function (t) { previous[t.dataset.file] = t.value; });
    list.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > max) {
      var warn = document.createElement("li");
      warn.className = "field-error";
      warn.textContent = "You chose " + files.length + " images; a post can have at most " + max + ".";
      list.appendChild(warn);
    }
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      var thumb = document.createElement("img");
      thumb.alt = "";
      thumb.src = URL.createObjectURL(file);
      thumb.addEventListener("load", function () { URL.revokeObjectURL(thumb.src); });
      var wrap = document.createElement("div");
      var label = document.createElement("label");
      var id = input.id + "-alt-" + index;
      label.htmlFor = id;
      label.textContent = "Describe image " + (index + 1) + " for people who can't see it";
      var box = document.createElement("textarea");
      box.id = id;
      box.name = "alt_" + index;
      box.rows = 2;
      box.maxLength = 1500;
      box.required = true;
      box.dataset.file = file.name + ":" + file.size;
      box.value = previous[box.dataset.file] || "";
      wrap.appendChild(label);
      wrap.appendChild(box);
      item.appendChild(thumb);
      item.appendChild(wrap);
      list.appendChild(item);
    });
  }

  function showError(message) {
    var box = document.querySelector(".feed-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "feed-error";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = message;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(function () { box.remove(); }, 6000);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-counter]")) updateCounter(event.target);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-alt-list]")) renderAltFields(event.target);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    showError((xhr && xhr.responseText && xhr.status < 500) ? xhr.responseText : "Something went wrong. Please try again.");
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-counter]").forEach(updateCounter);
  });
})();

// Edit page: new images are numbered after the images the post keeps, as the server counts
// them in its messages ("Describe image 3"), and renumbered when an image is marked for removal.
(function () {
  "use strict";

  function numberAfterKept(input) {
    var form = input.form;
    var list = document.getElementById(input.dataset.altList);
    if (!form || !list) return;
    var kept = 0;
    form.querySelectorAll("input[name=remove]").forEach(function (box) { if (!box.checked) kept += 1; });
    list.querySelectorAll("label").forEach(function (label, index) {
      label.textContent = "Describe image " + (kept + index + 1) + " for people who can't see it";
    });
  }

  // Registered after the alt-field builder above, so it runs once the fields exist.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) return;
    if (target.matches("input[type=file][data-alt-after-kept]")) numberAfterKept(target);
    if (target.matches("input[name=remove]") && target.form) {
      var files = target.form.querySelector("input[type=file][data-alt-after-kept]");
      if (files) numberAfterKept(files);
    }
  });
})();

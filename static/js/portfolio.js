// Portfolio grid, mature reveal, full-screen viewer and drag-to-reorder. No inline scripts (CSP).
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    var cookie = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return input ? input.value : cookie ? decodeURIComponent(cookie[1]) : "";
  }

  // Dominant-colour placeholders: set through the CSSOM, which the CSP allows.
  function paintPlaceholders(root) {
    root.querySelectorAll("img[data-color]").forEach(function (img) {
      img.style.backgroundColor = img.getAttribute("data-color");
    });
  }

  // Justified rows: each tile grows in proportion to its aspect ratio, so a row's tiles share
  // one height and fill the width exactly. Width/height attributes give the ratio before load.
  function justify(grid) {
    var base = parseFloat(getComputedStyle(grid).getPropertyValue("--row")) || 240;
    grid.querySelectorAll(".project-tile").forEach(function (tile) {
      var img = tile.querySelector("img");
      var w = img ? parseFloat(img.getAttribute("width")) : 0;
      var h = img ? parseFloat(img.getAttribute("height")) : 0;
      var ratio = w && h ? w / h : 1;
      tile.style.flexGrow = String(ratio);
      tile.style.flexBasis = Math.round(ratio * base) + "px";
      tile.style.maxWidth = Math.round(ratio * base * 2.2) + "px";
    });
    grid.classList.add("is-justified");
  }

  function reveal(scope) {
    scope.classList.remove("is-blurred");
    // Embeds in mature work load nothing until the viewer chooses to see the work.
    scope.querySelectorAll("iframe[data-embed-src]").forEach(function (frame) {
      frame.src = frame.getAttribute("data-embed-src");
      frame.removeAttribute("data-embed-src");
    });
    scope.querySelectorAll("[data-reveal], [data-reveal-all]").forEach(function (b) { b.remove(); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reveal]");
    if (button) { event.preventDefault(); reveal(button.closest(".is-blurred")); return; }
    var all = event.target.closest("[data-reveal-all]");
    if (all) {
      var article = all.closest(".project");
      reveal(article);
      all.closest(".mature-notice").remove();
    }
  });

  // The widest candidate in the <img>'s srcset: the largest rendition, for the full screen.
  function largestSource(img) {
    var best = img.currentSrc || img.src, bestWidth = 0;
    (img.getAttribute("srcset") || "").split(",").forEach(function (part) {
      var bits = part.trim().split(/\s+/);
      var width = parseInt(bits[1], 10) || 0;
      if (bits[0] && width > bestWidth) { best = bits[0]; bestWidth = width; }
    });
    return best;
  }

  // --- Viewer ---------------------------------------------------------------------------------
  function setupViewer() {
    var dialog = document.getElementById("viewer");
    var root = document.querySelector("[data-viewer-root]");
    if (!dialog || !root) return;
    var openers = Array.prototype.slice.call(root.querySelectorAll(".viewer-open"));
    var image = dialog.querySelector(".viewer-image");
    var count = dialog.querySelector(".viewer-count");
    var index = 0;
    var lastOpener = null;

    function show(i) {
      if (!openers.length) return;
      index = (i + openers.length) % openers.length;
      var img = openers[index].querySelector("img");
      if (!img) return;
      // Its size before it loads, so the dialog does not jump (the attributes give the ratio).
      image.setAttribute("width", img.getAttribute("width") || "1");
      image.setAttribute("height", img.getAttribute("height") || "1");
      image.src = largestSource(img);
      image.alt = img.alt;
      count.textContent = "Image " + (index + 1) + " of " + openers.length;
    }
    openers.forEach(function (opener, i) {
      opener.addEventListener("click", function () {
        if (root.classList.contains("is-blurred")) return;
        lastOpener = opener;
        show(i);
        dialog.showModal();
      });
    });
    if (openers.length < 2) {
      dialog.querySelectorAll("[data-viewer-prev], [data-viewer-next]").forEach(function (b) { b.hidden = true; });
    }
    dialog.querySelector("[data-viewer-prev]").addEventListener("click", function () { show(index - 1); });
    dialog.querySelector("[data-viewer-next]").addEventListener("click", function () { show(index + 1); });
    dialog.querySelector("[data-viewer-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { event.preventDefault(); show(index - 1); }
      else if (event.key === "ArrowRight") { event.preventDefault(); show(index + 1); }
    });
    dialog.addEventListener("close", function () {
      image.src = "data:,";
      if (lastOpener) lastOpener.focus();
    });
    // Swipe: a mostly horizontal move of 40 px or more changes image. Pointer events cover
    // touch, pen and mouse alike (CSS touch-action leaves horizontal moves to us).
    var startX = null, startY = null;
    dialog.addEventListener("pointerdown", function (event) { startX = event.clientX; startY = event.clientY; });
    dialog.addEventListener("pointerup", function (event) {
      if (startX === null) return;
      var dx = event.clientX - startX, dy = event.clientY - startY;
      startX = null;
      if (Math.abs(dx) > 40 && Math.abs(dx) > Math.abs(dy)) show(index + (dx < 0 ? 1 : -1));
    });
    dialog.addEventListener("pointercancel", function () { startX = null; });
  }

  // --- Drag to reorder the portfolio (the arrow buttons are the keyboard alternative) --------
  function setupSortable(grid) {
    var dragged = null;
    var status = document.querySelector("[data-reorder-status]");
    grid.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".project-tile");
      if (!dragged) return;
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-project-id"));
    });
    grid.addEventListener("dragover", function (event) {
      var over = event.target.closest(".project-tile");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientX > box.left + box.width / 2;
      grid.insertBefore(dragged, after ? over.nextSibling : over);
    });
    grid.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("is-dragging");
      dragged = null;
      var body = new URLSearchParams();
      grid.querySelectorAll(".project-tile").forEach(function (tile) {
        body.append("project", tile.getAttribute("data-project-id"));
      });
      fetch(grid.getAttribute("data-reorder-url"), {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        body: body,
        credentials: "same-origin",
      }).then(function (response) {
        if (status) status.textContent = response.ok ? "Order saved." : "The order could not be saved; reload and try again.";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    paintPlaceholders(document);
    document.querySelectorAll(".project-grid").forEach(function (grid) {
      justify(grid);
      if (grid.hasAttribute("data-sortable")) setupSortable(grid);
    });
    setupViewer();
  });

  // Infinite scroll: htmx appends the next page's tiles to the grid ("Load more" is a plain
  // link without JavaScript). New tiles get their placeholders and the justified rows again.
  // A keyboard user who had focus on "Load more" (which the new page replaces) lands on the
  // first new project instead of the top of the document.
  var focusFrom = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var link = event.detail && event.detail.elt;
    if (!link || !link.closest || !link.closest("#portfolio-more")) return;
    var grid = document.getElementById("portfolio-grid");
    focusFrom = document.activeElement === link && grid ? grid.querySelectorAll(".project-tile").length : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var grid = event.detail && event.detail.target;
    if (!grid || !grid.classList || !grid.classList.contains("project-grid")) return;
    paintPlaceholders(grid);
    justify(grid);
    if (focusFrom !== null) {
      var first = grid.querySelectorAll(".project-tile")[focusFrom];
      if (first) first.querySelector(".tile-link").focus();
      focusFrom = null;
    }
  });
})();

/* Autocomplete for the search boxes (input[data-suggest]) and for @mentions and #tags in the
   composer (form.compose textarea[name=text]): an ARIA 1.2 combobox with a listbox of at most
   8 options from /search/suggest. Keyboard: Down/Up move, Enter or Tab picks, Escape closes.
   No inline script or style (CSP): everything here is this file and the classes in kiln.css. */
(function () {
  "use strict";
  var ENDPOINT = "/search/suggest";
  var counter = 0;
  // The @mention or #tag being typed just before the caret ("hello @mi|" -> "@mi").
  var TOKEN = /(^|[\s(])([@#][\w]{1,30})$/u;

  function setup(field, mode) {
    if (field.dataset.suggestReady) return;
    field.dataset.suggestReady = "1";
    var id = "suggest-" + (++counter);
    var anchor = document.createElement("div");
    anchor.className = "suggest-anchor";
    field.parentNode.insertBefore(anchor, field);
    anchor.appendChild(field);
    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", mode === "compose" ? "Mentions and tags" : "Suggestions");
    list.hidden = true;
    anchor.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    anchor.appendChild(status);
    if (mode === "search") field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    // aria-expanded belongs to a combobox; on the composer's textarea (a textbox) it is not
    // allowed, and the live status above tells screen readers about suggestions instead.
    var expanded = function (open) {
      if (mode === "search") field.setAttribute("aria-expanded", open ? "true" : "false");
    };
    expanded(false);

    var items = [];
    var active = -1;
    var sequence = 0;
    var timer = null;
    var token = null; // compose: {start, end} of the text the pick replaces

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      expanded(false);
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        if (i === index) option.scrollIntoView({ block: "nearest" });
      });
      if (index >= 0) field.setAttribute("aria-activedescendant", id + "-opt-" + index);
      else field.removeAttribute("aria-activedescendant");
    }

    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = id + "-opt-" + i;
        option.className = "suggest-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var label = document.createElement("span");
        label.textContent = item.label;
        var detail = document.createElement("span");
        detail.className = "suggest-detail";
        detail.textContent = item.detail;
        option.appendChild(label);
        option.appendChild(detail);
        // mousedown, not click: the field keeps focus and the pick lands before blur closes.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(i);
        });
        list.appendChild(option);
      });
      var open = found.length > 0;
      list.hidden = !open;
      expanded(open);
      status.textContent = open ? found.length + (found.length === 1 ? " suggestion" : " suggestions") : "";
      active = -1;
      field.removeAttribute("aria-activedescendant");
    }

    function pick(index) {
      var item = items[index];
      if (!item) return;
      if (mode === "compose" && token) {
        var text = field.value;
        var insert = item.value + " ";
        field.value = text.slice(0, token.start) + insert + text.slice(token.end);
        var caret = token.start + insert.length;
        field.setSelectionRange(caret, caret);
        field.dispatchEvent(new Event("input", { bubbles: true }));
        close();
        field.focus();
      } else {
        close();
        window.location.assign(item.url);
      }
    }

    function query() {
      if (mode === "search") {
        var value = field.value.trim();
        return value.length >= 1 ? value : null;
      }
      var caret = field.selectionStart;
      var before = field.value.slice(0, caret);
      var match = TOKEN.exec(before);
      if (!match) return null;
      token = { start: caret - match[2].length, end: caret };
      return match[2].length >= 2 ? match[2] : null;
    }

    function lookup() {
      var q = query();
      if (!q) {
        close();
        return;
      }
      var mine = ++sequence;
      fetch(ENDPOINT + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : { items: [] };
        })
        .then(function (data) {
          if (mine === sequence) show((data.items || []).slice(0, 8));
        })
        .catch(function () {
          if (mine === sequence) close();
        });
    }

    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 120);
    });
    field.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    field.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  function scan(root) {
    root.querySelectorAll("input[data-suggest]").forEach(function (field) {
      setup(field, "search");
    });
    root.querySelectorAll('form.compose textarea[name="text"]').forEach(function (field) {
      setup(field, "compose");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    scan(document);
  });
  // Reply forms arrive through htmx.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) scan(event.target);
  });
})();

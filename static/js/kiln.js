// Kiln's own small behaviours. Loaded on every page; no inline scripts (the CSP forbids them).
(function () {
  "use strict";
  // htmx sends the CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var cookie = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    var value = token ? token.value : cookie ? decodeURIComponent(cookie[1]) : null;
    if (value) event.detail.headers["X-CSRFToken"] = value;
  });
})();

// Relative times ("42s", "5m", "3h", "6d") for <time data-relative>, kept current while the
// page is open. The server renders a stable date ("Nov 26"), so a rendered card can be shared
// by every reader and cached (kiln/posts/cards.py); a week or older, the date stays.
(function () {
  "use strict";
  function age(seconds) {
    if (seconds < 60) return Math.max(0, Math.floor(seconds)) + "s";
    if (seconds < 3600) return Math.floor(seconds / 60) + "m";
    if (seconds < 86400) return Math.floor(seconds / 3600) + "h";
    if (seconds < 7 * 86400) return Math.floor(seconds / 86400) + "d";
    return null;
  }
  function refresh(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[data-relative]").forEach(function (el) {
      var when = Date.parse(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      var text = age((now - when) / 1000);
      if (text !== null && el.textContent !== text) el.textContent = text;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { refresh(); });
  document.addEventListener("htmx:load", function (event) { refresh(event.target); });
  setInterval(refresh, 30000);
})();

// "Copy link" buttons ([data-copy-link]): the page's address to the clipboard, said aloud.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-link]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy-link")).then(function () {
      var label = button.textContent;
      button.textContent = "Link copied";
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
})();

// Settings tabs scroll sideways on phones: bring the current one into view.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector('.settings-nav [aria-current="page"]');
    if (current && current.parentElement.scrollWidth > current.parentElement.clientWidth) {
      current.parentElement.scrollLeft = current.offsetLeft - current.parentElement.offsetLeft - 16;
    }
  });
})();

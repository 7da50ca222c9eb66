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

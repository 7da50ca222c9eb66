// Timelines: keep the reader's place when the "new posts" pill prepends items above them.
// Loaded as a static file (the CSP forbids inline scripts); htmx does the fetching.
(function () {
  "use strict";
  var anchor = null;

  function firstVisibleItem(list) {
    var items = list.querySelectorAll(".timeline-item");
    for (var i = 0; i < items.length; i++) {
      if (items[i].getBoundingClientRect().bottom > 0) return items[i];
    }
    return null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "timeline-items") return;
    // Only prepends move content under the reader; appends happen below them.
    var swap = event.detail.requestConfig && event.detail.requestConfig.elt
      ? event.detail.requestConfig.elt.getAttribute("hx-swap") : null;
    if (swap !== "afterbegin") { anchor = null; return; }
    target.style.overflowAnchor = "none"; // we restore the position ourselves, exactly once
    var item = firstVisibleItem(target);
    anchor = item && window.scrollY > 0 ? { el: item, top: item.getBoundingClientRect().top } : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!anchor || !event.detail.target || event.detail.target.id !== "timeline-items") return;
    var delta = anchor.el.getBoundingClientRect().top - anchor.top;
    if (delta) window.scrollBy(0, delta);
    anchor = null;
  });
})();

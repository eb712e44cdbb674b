// Timestamps in the viewer's time zone: every <time class="local" datetime="…Z"> (written by
// cxlens.present.timestamps with a UTC fallback text) is rewritten with Intl.DateTimeFormat into
// the browser's zone, the UTC text kept as its tooltip. Again after each HTMX swap.
(function () {
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZoneName: "short"});
  function localise(root) {
    root.querySelectorAll("time.local[datetime]").forEach(function (el) {
      if (el.dataset.localised) return;
      var moment = new Date(el.getAttribute("datetime"));
      if (isNaN(moment.getTime())) return;
      el.title = el.textContent;
      el.textContent = format.format(moment);
      el.dataset.localised = "1";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { localise(document); });
  } else {
    localise(document);
  }
  document.addEventListener("htmx:afterSettle", function () { localise(document); });
})();

// Render every Vega-Lite chart on the page (again after each HTMX swap). No network: the
// specs carry their data inline, and vega-embed's action menu (which links out) is off.
function renderCharts(root) {
  root.querySelectorAll("div.vega[data-spec]").forEach(function (el) {
    var source = document.getElementById(el.dataset.spec);
    if (!source || el.dataset.rendered) return;
    el.dataset.rendered = "1";
    vegaEmbed(el, JSON.parse(source.textContent), {actions: false, renderer: "svg"})
      .catch(function (err) { el.textContent = "Chart failed: " + err; });
  });
}
document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
document.addEventListener("htmx:afterSettle", function (e) { renderCharts(document); });
// Keep shared URLs short: leave empty filters out of the request (and so of the pushed URL).
document.addEventListener("htmx:configRequest", function (e) {
  var params = e.detail.parameters;
  var keys = typeof params.keys === "function" ? Array.from(params.keys()) : Object.keys(params);
  keys.forEach(function (k) {
    var v = typeof params.get === "function" ? params.get(k) : params[k];
    if (v === "" || v === null || (k === "grain" && v === "month")) {
      if (typeof params.delete === "function") params.delete(k); else delete params[k];
    }
  });
});

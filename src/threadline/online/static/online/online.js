// The network graph: zoom with buttons, and show or hide identifiers by kind. The graph still shows whole
// without JavaScript; the controls appear only when this runs.
(function () {
  "use strict";

  function viewBox(svg) {
    return svg.getAttribute("viewBox").split(/\s+/).map(Number);
  }

  function zoom(svg, how) {
    if (!svg.dataset.fullView) {
      svg.dataset.fullView = svg.getAttribute("viewBox");
    }
    if (how === "reset") {
      svg.setAttribute("viewBox", svg.dataset.fullView);
      return;
    }
    var box = viewBox(svg);
    var full = svg.dataset.fullView.split(/\s+/).map(Number);
    var factor = how === "in" ? 0.66 : 1.5;
    var w = Math.min(Math.max(box[2] * factor, full[2] / 8), full[2]);
    var h = Math.min(Math.max(box[3] * factor, full[3] / 8), full[3]);
    var cx = box[0] + box[2] / 2;
    var cy = box[1] + box[3] / 2;
    var x = Math.min(Math.max(cx - w / 2, full[0]), full[0] + full[2] - w);
    var y = Math.min(Math.max(cy - h / 2, full[1]), full[1] + full[3] - h);
    svg.setAttribute("viewBox", [x, y, w, h].map(function (n) { return n.toFixed(1); }).join(" "));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-zoom]") : null;
    if (!button) {
      return;
    }
    var controls = button.closest("[data-graph]");
    var svg = controls && document.querySelector("#" + controls.dataset.graph + " svg");
    if (svg) {
      zoom(svg, button.dataset.zoom);
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-graph-kind]")) {
      return;
    }
    var controls = box.closest("[data-graph]");
    var graph = controls && document.getElementById(controls.dataset.graph);
    if (graph) {
      graph.classList.toggle("hide-kind-" + box.dataset.graphKind, !box.checked);
    }
  });
})();

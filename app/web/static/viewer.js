// The viewer's enhancements: pan and zoom, selecting a node without reloading, copy buttons.
// Everything here is optional: every link and form works without it.
(function () {
  "use strict";

  function init() {
    var viewer = document.querySelector(".viewer");
    if (viewer) { initViewer(viewer); }
    document.querySelectorAll(".copy-button").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        source.select();
        if (navigator.clipboard) { navigator.clipboard.writeText(source.value); } else { document.execCommand("copy"); }
        button.textContent = "Copied";
      });
    });
  }

  function focusOf(href) {
    try { return new URL(href, window.location.href).searchParams.get("focus"); } catch (e) { return null; }
  }

  function initViewer(viewer) {
    var slug = viewer.dataset.slug;
    var canvas = document.getElementById("canvas");
    var svg = canvas ? canvas.querySelector("svg") : null;
    var panZoom = null;
    if (svg && window.svgPanZoom) {
      // Set through the CSS object model, which the page's Content-Security-Policy allows; the
      // library would otherwise write a style attribute, which it does not.
      svg.style.overflow = "hidden";
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      canvas.classList.add("panzoom");
      panZoom = window.svgPanZoom(svg, { controlIconsEnabled: false, fit: true, center: true, minZoom: 0.2, maxZoom: 40, zoomScaleSensitivity: 0.3, dblClickZoomEnabled: false });
      var toolbar = viewer.querySelector(".toolbar");
      toolbar.hidden = false;
      toolbar.addEventListener("click", function (event) {
        var action = event.target.dataset.zoom;
        if (action === "in") { panZoom.zoomIn(); }
        if (action === "out") { panZoom.zoomOut(); }
        if (action === "fit") { panZoom.resize(); panZoom.fit(); panZoom.center(); }
      });
      canvas.addEventListener("keydown", function (event) {
        if (event.target !== canvas) { return; }
        var step = 60;
        var moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
        if (event.key === "+" || event.key === "=") { panZoom.zoomIn(); }
        else if (event.key === "-") { panZoom.zoomOut(); }
        else if (event.key === "0") { panZoom.fit(); panZoom.center(); }
        else if (moves[event.key]) { panZoom.panBy({ x: moves[event.key][0], y: moves[event.key][1] }); }
        else { return; }
        event.preventDefault();
      });
      window.addEventListener("resize", function () { panZoom.resize(); });
    }

    function nodeAnchor(id) {
      if (!svg) { return null; }
      var anchors = svg.querySelectorAll("a");
      for (var i = 0; i < anchors.length; i++) {
        var href = anchors[i].getAttribute("href") || anchors[i].getAttribute("xlink:href");
        if (href && focusOf(href) === id) { return anchors[i]; }
      }
      return null;
    }

    function highlight(id, centre) {
      if (!svg) { return; }
      svg.querySelectorAll("g.selected").forEach(function (g) { g.classList.remove("selected"); });
      var anchor = nodeAnchor(id);
      if (!anchor) { return; }
      var node = anchor.closest("g.node") || anchor.parentNode;
      node.classList.add("selected");
      if (centre && panZoom) {
        var box = anchor.getBoundingClientRect();
        var frame = svg.getBoundingClientRect();
        panZoom.panBy({ x: frame.left + frame.width / 2 - (box.left + box.width / 2), y: frame.top + frame.height / 2 - (box.top + box.height / 2) });
      }
    }

    function select(id, centre) {
      var url = new URL(window.location.href);
      url.searchParams.set("focus", id);
      var details = document.getElementById("details");
      var query = new URLSearchParams(url.search);
      window.htmx.ajax("GET", "/graphs/" + slug + "/nodes/" + encodeURIComponent(id) + "?" + query.toString(), { target: details, swap: "innerHTML" }).then(function () {
        var title = document.getElementById("details-title");
        if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: !centre }); }
      });
      window.history.pushState({ focus: id }, "", url.toString());
      highlight(id, centre);
    }

    // Clicks on a node in the picture, or on a bet named in a list, select it in place.
    viewer.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) { return; }
      var link = event.target.closest("a");
      if (!link || !window.htmx) { return; }
      var inPicture = svg && svg.contains(link);
      var id = inPicture ? focusOf(link.getAttribute("href") || link.getAttribute("xlink:href") || "") : link.dataset.node;
      if (!id || !(inPicture || link.classList.contains("select"))) { return; }
      var target = new URL(link.getAttribute("href") || link.getAttribute("xlink:href"), window.location.href);
      var here = new URL(window.location.href);
      if (!inPicture && (target.searchParams.get("view") || "map") !== (here.searchParams.get("view") || "map")) { return; }
      event.preventDefault();
      select(id, !inPicture);
    });
    window.addEventListener("popstate", function () { window.location.reload(); });

    markChanged(viewer, svg);
    recordVisit();

    var current = new URL(window.location.href).searchParams.get("focus");
    if (current) { highlight(current, false); }
  }

  // The bets that changed since the person's last visit, outlined in the picture (the banner
  // lists them; its diff link marks them without this script).
  function markChanged(viewer, svg) {
    var since = viewer.querySelector("[data-changed]");
    if (!since || !svg) { return; }
    var changed = {};
    since.dataset.changed.split(" ").forEach(function (id) { changed[id] = true; });
    svg.querySelectorAll("a").forEach(function (anchor) {
      var id = focusOf(anchor.getAttribute("href") || anchor.getAttribute("xlink:href") || "");
      if (id && changed[id]) { (anchor.closest("g.node") || anchor.parentNode).classList.add("changed-since"); }
    });
  }

  // Tell the server which revision the person has now seen: only once the page is really shown
  // (not a tab opened in the background and never looked at), and never by loading it.
  function recordVisit() {
    var form = document.getElementById("visit");
    if (!form) { return; }
    var sent = false;
    function send() {
      if (sent || document.visibilityState !== "visible") { return; }
      sent = true;
      document.removeEventListener("visibilitychange", send);
      fetch(form.action, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)) })
        .catch(function () { sent = false; });
    }
    document.addEventListener("visibilitychange", send);
    send();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

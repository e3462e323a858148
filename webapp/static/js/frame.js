// Inside an iframe, tell the host page how tall this page is (embed.js on the host listens).
(function () {
  if (window.parent === window) return;
  var last = 0;
  function height() {
    // The content's own height: documentElement.scrollHeight never drops below the frame's
    // viewport, so a notice shorter than the frame would keep the frame at its first height.
    var root = document.documentElement.getBoundingClientRect().height;
    return Math.ceil(Math.max(root, document.body ? document.body.scrollHeight : 0));
  }
  function report(force) {
    var h = height();
    if (h !== last || force === true) {
      last = h;
      window.parent.postMessage({ seloste: "height", height: h }, "*");
    }
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  // embed.js asks once it runs: it may have missed the report sent at load.
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.seloste === "measure") report(true);
  });
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
})();

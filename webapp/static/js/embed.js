// Seloste embed helper for host pages: sizes <iframe data-seloste> to the notice inside it.
// Include with <script src="https://<seloste host>/static/js/embed.js" async></script>.
(function () {
  var origin = new URL(document.currentScript ? document.currentScript.src : location.href).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.seloste !== "height") return;
    var frames = document.querySelectorAll("iframe[data-seloste]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        var height = Math.min(Math.max(parseInt(event.data.height, 10) || 0, 100), 100000);
        frames[i].style.height = height + "px";
      }
    }
  });
  // This script is async: a frame may have loaded, and reported its height, before it ran.
  // Ask each frame to report again (a frame still loading ignores this and reports at load);
  // "*" because a frame may still be on about:blank, and the request carries nothing private.
  var frames = document.querySelectorAll("iframe[data-seloste]");
  for (var i = 0; i < frames.length; i++) {
    if (frames[i].contentWindow) frames[i].contentWindow.postMessage({ seloste: "measure" }, "*");
  }
})();

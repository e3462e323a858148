// Copy buttons for the snippets on a published notice's page. Without this script the buttons stay
// hidden and the text stays in its box, whole and selectable.
(function () {
  function fit(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 4 + "px";
  }
  function copy(area) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(area.value);
    area.focus();
    area.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("not copied"));
  }
  var areas = document.querySelectorAll("textarea.snippet");
  for (var i = 0; i < areas.length; i++) fit(areas[i]);
  window.addEventListener("resize", function () {
    for (var j = 0; j < areas.length; j++) fit(areas[j]);
  });
  var buttons = document.querySelectorAll("button[data-copy]");
  for (var k = 0; k < buttons.length; k++) {
    (function (button) {
      var area = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!area || !status) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(area).then(
          function () { status.textContent = status.getAttribute("data-copied"); },
          function () { area.focus(); area.select(); status.textContent = status.getAttribute("data-failed"); }
        );
      });
      area.addEventListener("input", function () { status.textContent = ""; });
    })(buttons[k]);
  }
})();

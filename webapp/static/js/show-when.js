// Fields that apply only after an answer carry data-show-when="<name>=<value>[|<value>]": they are
// hidden until the form's field <name> has one of those values, and shown again live when it does.
// Without this script every field stays visible. Hiding never clears a field: what it holds is
// still sent and kept.
(function () {
  "use strict";

  function valueOf(form, name) {
    var controls = form.elements.namedItem(name);
    if (!controls) return "";
    if (controls.length !== undefined && !controls.tagName) {
      for (var i = 0; i < controls.length; i++) {
        if ((controls[i].type === "radio" || controls[i].type === "checkbox") && controls[i].checked) {
          return controls[i].value;
        }
      }
      return "";
    }
    if (controls.type === "radio" || controls.type === "checkbox") return controls.checked ? controls.value : "";
    return controls.value;
  }

  // A field a link points at (a finding of the review) is shown whatever the answer.
  var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;

  function update(form) {
    var rules = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < rules.length; i++) {
      var rule = rules[i].getAttribute("data-show-when");
      var at = rule.indexOf("=");
      var wanted = rule.slice(at + 1).split("|");
      var pointedAt = target !== null && rules[i].contains(target);
      rules[i].hidden = !pointedAt && wanted.indexOf(valueOf(form, rule.slice(0, at))) === -1;
    }
  }

  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    if (!forms[i].querySelector("[data-show-when]")) continue;
    update(forms[i]);
    forms[i].addEventListener("change", update.bind(null, forms[i]));
  }
})();

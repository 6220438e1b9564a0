(function () {
  // Shows a question only when the answers it depends on are given; without this script every
  // question shows, and the server ignores answers to questions that do not apply.
  document.documentElement.className += " js";
  var form = document.getElementById("questionnaire");
  var items = form.querySelectorAll("[data-enable-when]");
  function current(key) {
    var field = form.elements[key];
    if (!field) return "";
    if (field.value !== undefined && !(field instanceof RadioNodeList)) return field.disabled ? "" : field.value;
    for (var i = 0; i < field.length; i++) {
      if (field[i].checked && !field[i].disabled) return field[i].value;
    }
    return "";
  }
  function update() {
    // Twice, so that a question hidden now also hides the ones that depend on it.
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < items.length; i++) {
        var conditions = JSON.parse(items[i].getAttribute("data-enable-when"));
        var shown = conditions.every(function (c) { return current(c.key) === c.value; });
        items[i].hidden = !shown;
        var inputs = items[i].querySelectorAll("input, textarea, select");
        for (var j = 0; j < inputs.length; j++) inputs[j].disabled = !shown;
      }
    }
  }
  form.addEventListener("change", update);
  update();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();

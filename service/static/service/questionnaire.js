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
  // Progress: how many of the questions shown outside the booking answers have an answer.
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  var template = form.getAttribute("data-progress-template");
  function progress() {
    if (!bar) return;
    var asked = form.querySelectorAll("section:not([aria-labelledby='section-confirm']) .item:not([hidden])");
    var done = 0;
    for (var i = 0; i < asked.length; i++) {
      var inputs = asked[i].querySelectorAll("input, textarea");
      for (var j = 0; j < inputs.length; j++) {
        var input = inputs[j];
        if ((input.type === "radio" && input.checked) || (input.type !== "radio" && input.value.trim() !== "")) {
          done++;
          break;
        }
      }
    }
    bar.hidden = false;
    bar.max = asked.length;
    bar.value = done;
    text.textContent = template.replace("{done}", done).replace("{total}", asked.length);
  }
  form.addEventListener("change", function () { update(); progress(); });
  form.addEventListener("input", progress);
  update();
  progress();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();

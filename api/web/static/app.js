// ringi: confirm before an action is sent (data-confirm on the form or on the button pressed).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// ringi: the drafting form shows the fields of the matter chosen (支出: 金額・予算科目; 一般: 決裁区分); the others
// are disabled, so they are neither sent nor checked.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[name=matter]") || !select.form) {
    return;
  }
  select.form.querySelectorAll("fieldset[data-matter]").forEach(function (fieldset) {
    var shown = fieldset.dataset.matter === select.value;
    fieldset.hidden = !shown;
    fieldset.disabled = !shown;
  });
}, true); // capture: toggled before htmx (listening on the form) sends the form to the route preview

// Switching the language reloads the page: what the person typed in a form marked
// data-keep-typing is kept for that one reload (in this tab only, for a few minutes) and put
// back. Hidden fields (the CSRF token, the checkout token and total) and files are not kept.
(function () {
  var PREFIX = "keep-typing:";

  function kept(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && ["hidden", "file", "submit", "button", "password"]
        .indexOf(field.type) < 0 && field.tagName !== "BUTTON";
    });
  }

  function save(form) {
    var values = {};
    kept(form).forEach(function (field) {
      if (field.type === "checkbox") values[field.name] = field.checked;
      else if (field.type === "radio") { if (field.checked) values[field.name] = field.value; }
      else values[field.name] = field.value;
    });
    try {
      sessionStorage.setItem(PREFIX + form.dataset.keepTyping,
                             JSON.stringify({at: Date.now(), values: values}));
    } catch (e) { /* storage refused: the switch still works, the typing is lost */ }
  }

  function restore(form) {
    var key = PREFIX + form.dataset.keepTyping;
    var draft;
    try {
      draft = JSON.parse(sessionStorage.getItem(key) || "null");
      sessionStorage.removeItem(key);
    } catch (e) { return; }
    if (!draft || Date.now() - draft.at > 5 * 60 * 1000) return;
    kept(form).forEach(function (field) {
      if (!(field.name in draft.values)) return;
      var value = draft.values[field.name];
      if (field.type === "checkbox") field.checked = value === true;
      else if (field.type === "radio") field.checked = field.value === value;
      else field.value = value;
      field.dispatchEvent(new Event("change", {bubbles: true}));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-keep-typing]");
    forms.forEach(restore);
    document.querySelectorAll("form.language-switcher").forEach(function (switcher) {
      switcher.addEventListener("submit", function () { forms.forEach(save); });
    });
  });
})();

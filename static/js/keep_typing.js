// Switching the language reloads the page: what the person typed in a form marked
// data-keep-typing="<key>" (one key per form) is kept for that one reload (in this tab only, for
// a few minutes) and put back. Passwords, hidden fields (the CSRF token, the checkout token and
// total), files and fields marked data-keep-typing-skip (a consent to read again in the new
// language) are not kept. base.html loads this script on every page.
(function () {
  var PREFIX = "keep-typing:";

  function kept(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && ["hidden", "file", "submit", "button", "password", "reset"]
        .indexOf(field.type) < 0 && field.tagName !== "BUTTON" &&
        !field.hasAttribute("data-keep-typing-skip");
    });
  }

  // A checkbox is kept by name and value: a group of checkboxes shares one name.
  function checkboxKey(field) { return field.name + "\u0000" + field.value; }

  function save(form) {
    var values = {};
    kept(form).forEach(function (field) {
      if (field.type === "checkbox") values[checkboxKey(field)] = field.checked;
      else if (field.type === "radio") { if (field.checked) values[field.name] = field.value; }
      else if (field.type === "select-multiple") {
        values[field.name] = Array.prototype.filter.call(field.options, function (option) {
          return option.selected;
        }).map(function (option) { return option.value; });
      }
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
      var name = field.type === "checkbox" ? checkboxKey(field) : field.name;
      if (!(name in draft.values)) return;
      var value = draft.values[name];
      if (field.type === "checkbox") field.checked = value === true;
      else if (field.type === "radio") field.checked = field.value === value;
      else if (field.type === "select-multiple") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = Array.isArray(value) && value.indexOf(option.value) >= 0;
        });
      }
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

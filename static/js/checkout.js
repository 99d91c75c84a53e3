// The checkout's company fields show only while the invoice goes to a company. Without
// JavaScript they simply stay visible; a static file so the CSP needs no inline script.
(function () {
  // Switching the language reloads the page: what the person typed is kept for that one
  // reload (in this tab only), then put back.
  var DRAFT = "checkout-draft";
  var KEPT = ["invoice_to", "vat_number", "company_name", "company_address",
              "kmo_portefeuille", "instalments", "third_party_name", "third_party_address",
              "third_party_vat_number"];

  function saveDraft(form) {
    var values = {};
    KEPT.forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      if (field.type === "checkbox") values[name] = field.checked;
      else values[name] = field.value;  // a radio group's value is the checked one's
    });
    try {
      sessionStorage.setItem(DRAFT, JSON.stringify({at: Date.now(), values: values}));
    } catch (e) { /* storage refused: the switch still works, the typing is lost */ }
  }

  function restoreDraft(form) {
    var draft;
    try {
      draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
      sessionStorage.removeItem(DRAFT);
    } catch (e) { return; }
    if (!draft || Date.now() - draft.at > 5 * 60 * 1000) return;
    Object.keys(draft.values).forEach(function (name) {
      var field = form.elements[name];
      if (!field || KEPT.indexOf(name) < 0) return;
      if (field.type === "checkbox") field.checked = draft.values[name] === true;
      else field.value = draft.values[name];
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("checkout-form");
    if (form) {
      restoreDraft(form);
      document.querySelectorAll("form.language-switcher").forEach(function (switcher) {
        switcher.addEventListener("submit", function () { saveDraft(form); });
      });
    }
    var company = document.getElementById("company");
    var choices = document.querySelectorAll("input[name=invoice_to]");
    if (!company || !choices.length) return;
    // A field the server sent back with an error stays in sight, whatever is chosen.
    var hasErrors = company.querySelector(".errorlist") !== null;
    function update() {
      var chosen = document.querySelector("input[name=invoice_to]:checked");
      company.hidden = !hasErrors && (!chosen || chosen.value !== "company");
    }
    choices.forEach(function (choice) { choice.addEventListener("change", update); });
    update();
  });
})();

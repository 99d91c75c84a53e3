// The checkout's company fields show only while the invoice goes to a company. Without
// JavaScript they simply stay visible; a static file so the CSP needs no inline script.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
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

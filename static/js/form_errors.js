// A form sent back with errors: focus its first invalid field, so a screen reader reads its
// label and its error (aria-describedby) at once instead of the page from the top, and a
// keyboard user starts where the correction is. An error of the whole form (a wrong password)
// has no field: its message gets the focus. base.html loads this script on every page.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("main");
    if (!main) return;
    var target = main.querySelector("[aria-invalid=true]");
    if (!target) {
      target = main.querySelector("form .errorlist.nonfield, form .errorlist.nonform");
      if (target) target.setAttribute("tabindex", "-1");
    }
    if (target) target.focus();
  });
})();

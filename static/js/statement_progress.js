// The bank-statement import's progress bar in the admin: polls the statement's JSON view
// until the import is done or failed, then reloads the page to show the results (or the
// reason it failed).
(function () {
  function poll(box) {
    var bar = document.getElementById("statement-progress-bar");
    var text = document.getElementById("statement-progress-text");
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.max = Math.max(data.lines_total, 1);
        bar.value = data.lines_done;
        text.textContent = data.status_display + ": " + data.lines_done + " / " + data.lines_total;
        if (data.status === "done" || data.status === "failed") {
          window.location.reload();
        } else {
          setTimeout(function () { poll(box); }, 1000);
        }
      })
      .catch(function () { setTimeout(function () { poll(box); }, 5000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("statement-progress");
    if (box && box.dataset.status !== "done" && box.dataset.status !== "failed") { poll(box); }
  });
})();

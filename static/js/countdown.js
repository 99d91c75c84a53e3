// The cart's seat-hold countdown (mm:ss); a static file so the CSP needs no inline script.
(function () {
  function tick(el) {
    var left = Math.max(0, Math.floor((new Date(el.dataset.expires) - new Date()) / 1000));
    if (left === 0) {
      // The whole sentence ("held for you for ...") makes no sense at zero: replace it.
      (el.closest("[data-countdown-sentence]") || el).textContent = el.dataset.expiredText;
      return false;
    }
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    return true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".countdown[data-expires]").forEach(function (el) {
      if (tick(el)) {
        var timer = setInterval(function () { if (!tick(el)) clearInterval(timer); }, 1000);
      }
    });
  });
})();

// Double-submit protection, browser half (the server half is crm/submit_once.py).
// While a POST form is being sent, its submit buttons are disabled and a second submit of the
// same form is ignored; the page coming back from the history cache re-enables them.
(function () {
  "use strict";
  var BUTTONS = "button[type=submit], button:not([type]), input[type=submit]";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.submitting === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    // After this event, so that the clicked button's name and value are still sent.
    window.setTimeout(function () {
      form.querySelectorAll(BUTTONS).forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting=true]").forEach(function (form) {
      delete form.dataset.submitting;
      form.removeAttribute("aria-busy");
      form.querySelectorAll(BUTTONS).forEach(function (button) {
        button.disabled = false;
      });
    });
  });
})();

// A form that comes back refused: its first error is brought into view and its field focused,
// unfolding the <details> panel it sits in, so that nobody has to search the page for why
// nothing was saved (the error may be far below the top, or in a folded panel, on a phone).
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var invalid = document.querySelector("form .is-invalid, form .invalid-feedback");
    if (!invalid) {
      return;
    }
    for (var node = invalid.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
    invalid.scrollIntoView({ block: "center", behavior: "instant" });
    if (invalid.matches("input, select, textarea")) {
      invalid.focus({ preventScroll: true });
    }
  });
})();

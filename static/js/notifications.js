// The navigation's unread-notification count, fetched after the page loads so that no page
// pays a query for it; a failure leaves the badge hidden.
(function () {
  "use strict";
  var badge = document.getElementById("notification-count");
  if (!badge) { return; }
  fetch(badge.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (data && data.unread > 0) {
        badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
        badge.classList.remove("d-none");
      }
    })
    .catch(function () {});
})();

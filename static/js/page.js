// Small behaviours of every page; the pages work without them.
(function () {
  "use strict";

  // Tell the server the browser's time zone so dates are shown in the buyer's own zone.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (error) {
    // An old browser: the default zone applies.
  }

  // The language switcher applies a choice at once (a button does it without JavaScript).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-submit-on-change]")) {
      event.target.form.submit();
    }
  });
})();

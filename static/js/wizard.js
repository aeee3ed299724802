// After htmx swaps in the next wizard step, keyboard and screen-reader users start on its
// heading, as they would after a full page load, instead of at the top of the document.
document.addEventListener("htmx:afterSettle", function (event) {
  var wizard = event.target && event.target.id === "wizard" ? event.target : null;
  var heading = wizard && wizard.querySelector("[data-step-heading]");
  if (heading) {
    heading.focus();
  }
});

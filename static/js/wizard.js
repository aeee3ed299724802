// The dispute wizard's small behaviours; every step works without them.
(function () {
  "use strict";

  // The amount is asked only for a partial refund: hidden while another choice (or none)
  // is made. Without JavaScript it stays visible and its hint says it is only for that.
  var REFUND_CHOICE = "input[type=radio][name$='refund_request']";

  function showAmountForPartialRefund() {
    var amount = document.querySelector("[data-partial-refund-only]");
    if (!amount) {
      return;
    }
    var chosen = document.querySelector(REFUND_CHOICE + ":checked");
    amount.hidden = !chosen || chosen.value !== "partial";
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(REFUND_CHOICE)) {
      showAmountForPartialRefund();
    }
  });

  document.addEventListener("htmx:afterSwap", showAmountForPartialRefund);

  // After htmx swaps in the next wizard step, keyboard and screen-reader users start on its
  // heading, as they would after a full page load, instead of at the top of the document.
  document.addEventListener("htmx:afterSettle", function (event) {
    var wizard = event.target && event.target.id === "wizard" ? event.target : null;
    var heading = wizard && wizard.querySelector("[data-step-heading]");
    if (heading) {
      heading.focus();
    }
  });

  // htmx swaps a step in at once but wires up its form only when the step settles, a
  // moment later. data-ready says the step is live: htmx has processed it (and, after a
  // swap, its heading has focus, as htmx:afterSettle follows htmx:load at once).
  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    var wizard = root.id === "wizard" ? root : root.querySelector("#wizard");
    if (wizard) {
      wizard.dataset.ready = "true";
    }
  });

  // A field's error goes once what is typed there meets the field's own rules (its
  // required and minlength attributes, checked by the browser): the step is judged again on
  // the server when it is submitted.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.form || field.form.id !== "wizard-form") {
      return;
    }
    if (field.getAttribute("aria-invalid") !== "true" || !field.checkValidity()) {
      return;
    }
    var error = document.getElementById(field.id + "_error");
    if (error) {
      error.remove();
    }
    field.removeAttribute("aria-invalid");
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== field.id + "_error";
    });
    field.setAttribute("aria-describedby", described.join(" "));
  });

  showAmountForPartialRefund();
})();

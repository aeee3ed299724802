// Evidence panel: a progress bar and a spoken status while htmx uploads the chosen files.
// Without JavaScript the panel's file input is submitted with the enclosing form instead.
(function () {
  "use strict";
  if (window.evidenceUploadReady) {
    return;
  }
  window.evidenceUploadReady = true;

  function panelOf(event) {
    var target = event.target;
    return target && target.closest ? target.closest("[data-evidence-panel]") : null;
  }

  function isUpload(event) {
    return event.target && event.target.type === "file";
  }

  // File inputs whose files are on their way (or were sent): never sent twice.
  var sent = new WeakSet();

  function parts(panel) {
    return {
      progress: panel.querySelector("[data-evidence-progress]"),
      status: panel.querySelector("[data-evidence-status]"),
    };
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = panelOf(event);
    if (!panel || !isUpload(event)) {
      return;
    }
    sent.add(event.target);
    var p = parts(panel);
    p.progress.value = 0;
    p.progress.hidden = false;
    p.status.textContent = panel.dataset.uploadingText;
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var panel = panelOf(event);
    if (!panel || !isUpload(event) || !event.detail.lengthComputable || !event.detail.total) {
      return;
    }
    // Only the progress bar moves; the status is not re-announced on every step.
    parts(panel).progress.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });

  function failed(event) {
    var panel = panelOf(event);
    if (!panel) {
      return;
    }
    var p = parts(panel);
    var xhr = event.detail && event.detail.xhr;
    p.progress.hidden = true;
    p.status.textContent =
      xhr && xhr.status === 413 ? panel.dataset.tooLargeText : panel.dataset.failedText;
    if (isUpload(event)) {
      // Keeps the enclosing form from sending the same files again on "Next".
      event.target.value = "";
    }
  }

  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // htmx processes a panel it swaps in, attaching the file input's "change" trigger, only
  // when the swap settles, a moment later (on a first page load, when the document is
  // parsed). Files chosen before then fired a "change" nobody heard: send them now. Then
  // data-ready says the panel is live.
  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    var panels = root.matches("[data-evidence-panel]")
      ? [root]
      : root.querySelectorAll("[data-evidence-panel]");
    Array.prototype.forEach.call(panels, function (panel) {
      var input = panel.querySelector("input[type=file]");
      if (input && input.files.length > 0 && !sent.has(input)) {
        htmx.trigger(input, "change");
      }
      panel.dataset.ready = "true";
    });
  });
})();

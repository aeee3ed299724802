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

  // A file over its size limit is refused here, before a byte is sent (a buyer on mobile
  // data should not send 2 GB to hear no), with the server's own sentence; the server
  // still checks every file. Files within the limits go on as usual.
  var notSent = [];

  function megabytes(size, separator) {
    var tenths = Math.ceil(size / 100000);
    var text = tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
    return text.replace(".", separator);
  }

  function tooLarge(panel, file) {
    var data = panel.dataset;
    var video = file.type.indexOf("video/") === 0;
    var limit = Number(video ? data.videoMaxBytes : data.photoMaxBytes);
    if (file.size <= limit) {
      return null;
    }
    return (video ? data.videoTooLarge : data.photoTooLarge)
      .replace("{name}", file.name)
      .replace("{size}", megabytes(file.size, data.decimalSeparator));
  }

  function showNotSent(panel) {
    var region = panel.querySelector(".evidence-panel__refusals");
    if (!region || notSent.length === 0) {
      return;
    }
    var intro = document.createElement("p");
    intro.textContent = panel.dataset.notSentText;
    var list = document.createElement("ul");
    list.className = "evidence-refusals";
    notSent.forEach(function (refusal) {
      var item = document.createElement("li");
      item.className = "evidence-refusal";
      item.dataset.fileName = refusal.name;
      item.textContent = refusal.message;
      list.appendChild(item);
    });
    region.appendChild(intro);
    region.appendChild(list);
  }

  document.addEventListener(
    "change",
    function (event) {
      var input = event.target;
      var panel = input && input.type === "file" ? input.closest("[data-evidence-panel]") : null;
      if (!panel) {
        return;
      }
      var refused = [];
      var kept = typeof DataTransfer === "function" ? new DataTransfer() : null;
      Array.prototype.forEach.call(input.files, function (file) {
        var message = tooLarge(panel, file);
        if (message) {
          refused.push({ name: file.name, message: message });
        } else if (kept) {
          kept.items.add(file);
        }
      });
      if (refused.length === 0) {
        return;
      }
      // htmx must not send this selection; what is within the limits is sent again below.
      event.stopImmediatePropagation();
      notSent = refused;
      showNotSent(panel);
      input.value = "";
      if (kept && kept.files.length > 0) {
        input.files = kept.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      } else {
        notSent = [];
      }
    },
    true
  );

  // The panel is swapped once the files within the limits are uploaded: the refusals of
  // that selection stay in view in the new one.
  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.querySelector("[data-evidence-panel]");
    if (panel) {
      showNotSent(panel);
    }
    notSent = [];
  });
})();

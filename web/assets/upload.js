// Upload progress for forms marked data-progress: the file is sent with
// XMLHttpRequest so the page can show how much has gone up, then that the
// server is checking and storing it. Without JavaScript the form posts as
// usual; nothing here is needed for it to work.
(function () {
  "use strict";
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    var bar = form.querySelector("progress");
    var label = form.querySelector("[data-progress-label]");
    form.addEventListener("submit", function (ev) {
      if (!window.FormData || !bar) { return; }
      ev.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      bar.hidden = false;
      bar.removeAttribute("value");
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var pct = Math.floor(100 * e.loaded / e.total);
        bar.max = 100;
        bar.value = pct;
        if (label) { label.textContent = form.dataset.uploading.replace("{pct}", pct); }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); // indeterminate while the server checks and stores
        if (label) { label.textContent = form.dataset.processing; }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL !== form.action) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        if (label) { label.textContent = form.dataset.failed; }
      });
      xhr.send(new FormData(form));
    });
    window.rarexUploadProgress = true;
  });
})();

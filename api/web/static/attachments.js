// ringi: 添付ファイル on the document page.  A file dropped on the area goes into the form's file field and is sent;
// a file over the limit (data-max-bytes) is refused here, before any upload, with the server's own message
// (data-too-large); while it is being sent the area says so.  Without this script the form works as it is.
(function () {
  function tooLarge(form, file) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    return input && file && file.size > Number(input.dataset.maxBytes);
  }

  function say(form, text, isError) {
    var status = form.querySelector("[data-upload-status]");
    if (!status) {
      return;
    }
    status.textContent = text;
    status.classList.toggle("field-error", Boolean(isError));
  }

  function send(form) {
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) {
      return false;
    }
    if (tooLarge(form, file)) {
      say(form, input.dataset.tooLarge, true);
      input.setAttribute("aria-invalid", "true");
      input.value = "";
      return false;
    }
    input.removeAttribute("aria-invalid");
    say(form, "「" + file.name + "」を送信しています…", false);
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-upload]") && !send(form)) {
      event.preventDefault();
    }
  });

  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) {
      event.preventDefault();
      zone.classList.add("dropzone-over");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone) {
      zone.classList.remove("dropzone-over");
    }
  });

  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) {
      return;
    }
    event.preventDefault();
    zone.classList.remove("dropzone-over");
    var form = zone.closest("form");
    var input = form.querySelector("input[type=file]");
    if (!event.dataTransfer || !event.dataTransfer.files.length) {
      return;
    }
    input.files = event.dataTransfer.files;
    if (send(form)) {
      form.submit();
    }
  });
})();

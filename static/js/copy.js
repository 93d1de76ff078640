/* Copy buttons (progressive enhancement): a button[data-copy] names the element whose text it
   copies. Without JavaScript the button stays hidden and the text stays selectable. */
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function fallbackCopy(element) {
    selectText(element);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    var status = button.parentNode.querySelector(".copy-status");
    function report(ok) {
      if (status) {
        status.textContent = ok ? button.dataset.copied : button.dataset.failed;
      }
      if (!ok) {
        selectText(source);
      }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { report(true); },
          function () { report(fallbackCopy(source)); }
        );
      } else {
        report(fallbackCopy(source));
      }
    });
  });
})();

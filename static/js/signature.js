// Signatures drawn on screen (parcours/signatures.py holds the rules): every form carrying
// [data-signature-form] gets a pad on its canvas, drawn with a finger, a stylus or a mouse
// (signature_pad works with pointer events). On submit the drawing goes, as a PNG data URL, into
// the hidden [data-signature-image] field; « Effacer » starts again. After a refused post the
// server sends the drawing back in that field when it was not the problem: it is shown again.
(function () {
  "use strict";

  if (typeof window.SignaturePad !== "function") {
    return;
  }

  function setUp(form) {
    var canvas = form.querySelector("[data-signature-canvas]");
    var input = form.querySelector("[data-signature-image]");
    var clear = form.querySelector("[data-signature-clear]");
    if (!canvas || !input || form.dataset.signatureReady) {
      return;
    }
    form.dataset.signatureReady = "1";
    var pad = new window.SignaturePad(canvas, {
      penColor: "#000000",
      minWidth: 1,
      maxWidth: 3,
    });

    // The canvas's pixels follow its CSS size and the screen's density (sharp on a tablet).
    function resize() {
      var data = pad.isEmpty() ? null : pad.toData();
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = Math.round(canvas.offsetWidth * ratio);
      canvas.height = Math.round(canvas.offsetHeight * ratio);
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (data) {
        pad.fromData(data);
      }
    }
    window.addEventListener("resize", resize);
    resize();

    if (input.value.indexOf("data:image/png;base64,") === 0) {
      pad.fromDataURL(input.value, { width: canvas.offsetWidth, height: canvas.offsetHeight });
    }

    if (clear) {
      clear.addEventListener("click", function () {
        pad.clear();
        input.value = "";
      });
    }
    form.addEventListener("submit", function () {
      // An empty pad posts nothing: the server answers with its message next to the frame.
      if (!pad.isEmpty()) {
        input.value = pad.toDataURL("image/png");
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-signature-form]"), setUp);
})();

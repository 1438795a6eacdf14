// Strength of a new password as it is typed: the server's estimate (plie/accounts/passwords.py)
// in its simple form, length × log2(pool of the character classes used). The server also
// discounts common words, keyboard walks, sequences and years, so it may still refuse a
// password shown here as « robuste »: the message next to the field then says why.
(function () {
  "use strict";

  var POOLS = [
    [/[a-z]/, 26],
    [/[A-Z]/, 26],
    [/[0-9]/, 10],
    [/[^a-zA-Z0-9]/, 37],
  ];

  function estimate(password) {
    var pool = 0;
    POOLS.forEach(function (entry) {
      if (entry[0].test(password)) {
        pool += entry[1];
      }
    });
    // Array.from counts characters, not UTF-16 units, as Python's len() does.
    return pool ? Math.floor(Array.from(password).length * Math.log2(pool) + 0.5) : 0;
  }

  function attach(input) {
    var minimum = parseInt(input.getAttribute("data-password-strength"), 10) || 80;
    var wrapper = document.createElement("div");
    wrapper.className = "password-strength mt-1 small";
    var meter = document.createElement("meter");
    meter.className = "w-100";
    meter.min = 0;
    meter.max = minimum;
    meter.low = minimum - 10; // « moyen » : close to the minimum, still refused
    meter.high = minimum - 1;
    meter.optimum = minimum;
    meter.value = 0;
    meter.setAttribute("aria-hidden", "true");
    var label = document.createElement("span");
    label.id = input.id + "_strength";
    label.setAttribute("aria-live", "polite");
    wrapper.appendChild(meter);
    wrapper.appendChild(label);
    input.insertAdjacentElement("afterend", wrapper);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + label.id).trim());

    function update() {
      var bits = estimate(input.value);
      meter.value = Math.min(bits, minimum);
      label.classList.remove("text-danger", "text-warning-emphasis", "text-success");
      if (!input.value) {
        label.textContent = "";
        wrapper.classList.add("d-none");
        return;
      }
      wrapper.classList.remove("d-none");
      var word;
      if (bits >= minimum) {
        word = "robuste";
        label.classList.add("text-success");
      } else if (bits >= meter.low) {
        word = "moyen";
        label.classList.add("text-warning-emphasis");
      } else {
        word = "faible";
        label.classList.add("text-danger");
      }
      label.textContent = "Robustesse estimée : " + word + " (" + bits + " bits sur " + minimum + " demandés)";
    }

    input.addEventListener("input", update);
    update();
  }

  function init() {
    document.querySelectorAll("input[data-password-strength]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

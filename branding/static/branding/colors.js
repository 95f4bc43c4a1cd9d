/* Colour pickers and the live preview of the branding settings page.
 *
 * Each #rrggbb text field (data-color-role) gets its colour picker (data-color-for) shown and kept
 * in step; the preview takes the colours as CSS custom properties and the contrast of white text
 * on each colour is checked as the server does (WCAG 2.1, at least 4.5:1). The server stays
 * authoritative: this only tells the user early.
 */
(function () {
  "use strict";

  var HEX = /^#[0-9a-fA-F]{6}$/;
  var MIN_CONTRAST = 4.5;

  function channel(value) {
    var c = value / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }

  function luminance(hex) {
    var r = channel(parseInt(hex.slice(1, 3), 16));
    var g = channel(parseInt(hex.slice(3, 5), 16));
    var b = channel(parseInt(hex.slice(5, 7), 16));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrastWithWhite(hex) {
    return 1.05 / (luminance(hex) + 0.05);
  }

  function labelOf(field) {
    var label = document.querySelector('label[for="' + field.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : field.name;
  }

  function init() {
    var form = document.querySelector("[data-branding-form]");
    var preview = document.getElementById("brand-preview");
    var message = document.getElementById("contrast-message");
    if (!form || !preview || !message) {
      return;
    }
    var fields = Array.prototype.slice.call(form.querySelectorAll("input[data-color-role]"));
    var lang = document.documentElement.lang || undefined;

    function update() {
      var problems = [];
      fields.forEach(function (field) {
        var value = field.value.trim();
        if (!HEX.test(value)) {
          problems.push(message.dataset.invalid.replace("{label}", labelOf(field)));
          return;
        }
        preview.style.setProperty("--preview-" + field.dataset.colorRole, value);
        var ratio = contrastWithWhite(value);
        if (ratio < MIN_CONTRAST) {
          var shown = ratio.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
          problems.push(message.dataset.tooLow.replace("{label}", labelOf(field)).replace("{ratio}", shown));
        }
      });
      message.dataset.state = problems.length ? "fail" : "pass";
      message.textContent = problems.length ? problems.join(" ") : message.dataset.allPass;
    }

    fields.forEach(function (field) {
      var picker = document.querySelector('input[type="color"][data-color-for="' + field.id + '"]');
      if (picker) {
        picker.hidden = false;
        picker.addEventListener("input", function () {
          field.value = picker.value;
          update();
        });
        field.addEventListener("input", function () {
          var value = field.value.trim();
          if (HEX.test(value)) {
            picker.value = value.toLowerCase();
          }
        });
      }
      field.addEventListener("input", update);
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// The print button on the A4 invitation sheet (inline scripts are not allowed by the CSP).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

// Moves the keyboard focus to a form's error summary when the page shows one, so screen readers
// read it first and keyboard users start there. Without JavaScript the summary is still the first
// thing in the form and announced as an alert (role="alert"). Loaded as a file: the CSP allows no
// inline script.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});

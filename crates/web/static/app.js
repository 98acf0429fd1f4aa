// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // The language switch returns to the page it was used on.
  for (const input of document.querySelectorAll("input[data-current-path]")) {
    input.value = window.location.pathname + window.location.search;
  }
});

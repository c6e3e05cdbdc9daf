// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before actions that publish or discard work.
  document.querySelectorAll("#sign-off-submit").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm("Publish this verdict?")) event.preventDefault();
    });
  });
});

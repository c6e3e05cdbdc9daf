// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before actions that publish or discard work.
  document.querySelectorAll("#sign-off-submit").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm("Publish this verdict?")) event.preventDefault();
    });
  });
});

// A form is sent once: a double click or a second Enter would store the evidence or claim twice.
const SUBMITS = "button[type=submit], button:not([type]), input[type=submit]";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  // On the next tick, so that the clicked button's name and value still go with the form.
  window.setTimeout(() => {
    form.querySelectorAll(SUBMITS).forEach((button) => {
      if (!button.disabled) {
        button.disabled = true;
        button.dataset.lockedBySubmit = "1";
      }
    });
  }, 0);
});

// Back to a page kept in the browser's history cache: its forms work again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sent]").forEach((form) => delete form.dataset.sent);
  document.querySelectorAll("[data-locked-by-submit]").forEach((button) => {
    button.disabled = false;
    delete button.dataset.lockedBySubmit;
  });
});

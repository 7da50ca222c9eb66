// Cloak pages: confirm destructive buttons (no inline handlers: the CSP forbids them).
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

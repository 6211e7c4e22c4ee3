/* Copy a calendar feed address: the button next to the address copies it and says so
 * (role=status). Without the Clipboard API, the address is selected for the person
 * to copy. No inline script: the strict CSP allows only files like this one. */
(function () {
  "use strict";
  if (window.harmoniaCopyLink) return; // included once per feed on a page: listen once
  window.harmoniaCopyLink = true;
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const scope = button.closest("[data-copy-scope]");
    if (!scope) return;
    const source = scope.querySelector("[data-copy-source]");
    const status = scope.querySelector("[data-copy-status]");
    let copied = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(source.value);
        copied = true;
      }
    } catch (e) { copied = false; }
    if (!copied) { source.focus(); source.select(); }
    if (status) status.textContent = copied ? status.dataset.copied : status.dataset.failed;
  });
})();

// On a phone the menu starts closed; on wider screens it is always open.
(function () {
  var toggle = document.querySelector(".site-nav__toggle");
  if (!toggle) return;
  var wide = window.matchMedia("(min-width: 48rem)");
  function sync() { toggle.open = wide.matches; }
  sync();
  wide.addEventListener("change", sync);
})();

// Print buttons (the Content-Security-Policy allows no inline onclick handlers).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) { event.preventDefault(); window.print(); }
});

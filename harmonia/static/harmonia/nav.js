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

// A menu of the navigation ("More", a centre's pages) closes when you click elsewhere
// or press Escape, and opening one closes the others.
(function () {
  var menus = Array.prototype.slice.call(document.querySelectorAll("[data-nav-menu]"));
  if (!menus.length) return;
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) return;
      menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus.forEach(function (menu) {
      if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
})();

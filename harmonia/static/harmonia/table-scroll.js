// Wide report tables: say so when a table is wider than its box (a line under it,
// "Scroll sideways for more columns"), and mark the box while it is scrolled, so
// the sticky first column casts a shadow. Progressive: without it the table still
// scrolls and the fading right edge (CSS) still shows there is more.
(function () {
  "use strict";
  function update(wrap) {
    var scrollable = wrap.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("is-scrollable", scrollable);
    wrap.classList.toggle("is-scrolled", wrap.scrollLeft > 0);
    wrap.classList.toggle("is-at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
    var cue = wrap.nextElementSibling;
    if (cue && cue.classList.contains("table-scroll-cue")) {
      cue.hidden = !scrollable;
    }
  }
  function start() {
    var wraps = document.querySelectorAll(".table-wrap");
    Array.prototype.forEach.call(wraps, function (wrap) {
      update(wrap);
      wrap.addEventListener("scroll", function () { update(wrap); }, { passive: true });
    });
    window.addEventListener("resize", function () {
      Array.prototype.forEach.call(wraps, update);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

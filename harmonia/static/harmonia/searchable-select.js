/* A filter box above a long dropdown (<select data-searchable>): typing part of a name
   narrows the dropdown's choices; one match is chosen for you. Progressive enhancement:
   without JavaScript the dropdown works as it is. Set up by harmonia/widgets.py. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select) {
    if (select.dataset.searchReady) return;
    select.dataset.searchReady = "1";
    var options = Array.prototype.slice.call(select.options).map(function (option) {
      return { option: option, text: fold(option.text) };
    });
    var box = document.createElement("div");
    box.className = "select-filter";
    var label = document.createElement("label");
    label.className = "select-filter__label";
    label.htmlFor = select.id + "_filter";
    label.textContent = select.dataset.searchLabel || "";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "_filter";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "select-filter__status";
    status.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    select.parentNode.insertBefore(box, select);

    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      var found = [];
      select.textContent = "";
      options.forEach(function (item) {
        var blank = item.option.value === "";
        var match = words.every(function (w) { return item.text.indexOf(w) !== -1; });
        if (blank || match) select.appendChild(item.option);
        if (!blank && match) found.push(item.option);
      });
      if (words.length && found.length === 1) {
        select.value = found[0].value;
      } else if (found.some(function (o) { return o.value === chosen; })) {
        select.value = chosen;
      } else {
        select.value = "";
      }
      select.dispatchEvent(new Event("change", { bubbles: true }));
      if (!words.length) {
        status.textContent = "";
      } else if (found.length) {
        status.textContent = (select.dataset.searchCount || "%(count)s").replace("%(count)s", found.length);
      } else {
        status.textContent = select.dataset.searchNone || "";
      }
    });
  }

  document.querySelectorAll("select[data-searchable]").forEach(enhance);
})();

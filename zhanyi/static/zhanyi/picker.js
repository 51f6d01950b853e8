// Pickers (zhanyi.core.pickers): a result picked becomes a hidden input under
// the field's name, shown by its label; a single picker keeps one.
(function () {
  "use strict";

  function choose(picker, pk, label) {
    var chosen = picker.querySelector(".picker-chosen");
    var name = picker.dataset.name;
    if (!picker.dataset.multiple) chosen.innerHTML = "";
    var existing = chosen.querySelector('input[value="' + pk + '"]');
    if (!existing) {
      var li = document.createElement("li");
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = pk;
      var span = document.createElement("span");
      span.textContent = label;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "picker-remove";
      remove.setAttribute("data-picker-remove", "");
      remove.setAttribute("aria-label", picker.dataset.removeLabel || "×");
      remove.textContent = "×";
      li.append(input, span, remove);
      chosen.append(li);
    }
    var box = picker.querySelector("input[type=search]");
    box.value = "";
    picker.querySelector(".picker-results").innerHTML = "";
    box.dispatchEvent(new Event("picked", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick]");
    var picker = event.target.closest("[data-picker]");
    if (pick && picker) {
      event.preventDefault();
      choose(picker, pick.dataset.pick, pick.dataset.label);
      return;
    }
    var remove = event.target.closest("[data-picker-remove]");
    if (remove) {
      event.preventDefault();
      remove.closest("li").remove();
    }
  });

  // Enter in the search box picks the first match instead of sending the form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var picker = event.target.closest("[data-picker]");
    if (!picker || event.target.type !== "search") return;
    var first = picker.querySelector(".picker-results [data-pick]");
    if (first) {
      event.preventDefault();
      choose(picker, first.dataset.pick, first.dataset.label);
    }
  });
})();

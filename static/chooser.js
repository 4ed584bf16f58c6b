// The chosen recipients as chips with a live count, while ticking and removing. Without this script the page does
// the same by reloading: ticks are sent with the next button, and a chip's × button removes it on the server.
(function () {
  "use strict";
  var form = document.querySelector("form.choose[data-max]");
  if (!form || !("content" in document.createElement("template"))) { return; }
  var chips = form.querySelector("[data-chips]");
  var template = form.querySelector("template[data-chip-template]");
  var count = form.querySelector("[data-count]");
  var overCap = form.querySelector("[data-over-cap]");
  var empty = form.querySelector("[data-empty]");
  var max = parseInt(form.getAttribute("data-max"), 10);

  function update() {
    var chosen = chips.children.length;
    count.textContent = chosen;
    overCap.hidden = chosen <= max;
    empty.hidden = chosen > 0;
  }

  function chipOf(box) {
    return chips.querySelector('[data-from="' + box.id + '"]');
  }

  function addChip(box) {
    var item = template.content.firstElementChild.cloneNode(true);
    var name = form.querySelector('label[for="' + box.id + '"] .target-name').textContent;
    item.setAttribute("data-from", box.id);
    item.querySelector(".chip-name").textContent = name;
    item.querySelector(".chip-remove").setAttribute(
      "aria-label", template.getAttribute("data-remove-label").replace("{name}", name));
    chips.appendChild(item);
  }

  form.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || box.name !== "to") { return; }
    var item = chipOf(box);
    if (box.checked && !item) { addChip(box); }
    if (!box.checked && item) { item.remove(); }
    update();
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest(".chip-remove");
    if (!button) { return; }
    event.preventDefault();
    var item = button.closest(".chip");
    var from = item.getAttribute("data-from");
    if (from) { document.getElementById(from).checked = false; }
    // Keyboard users stay among the chips rather than being thrown back to the top of the page.
    var next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    (next ? next.querySelector(".chip-remove") : document.getElementById("chosen-heading")).focus();
    update();
  });

  // A browser going back to this page restores ticks: give them their chips.
  Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox][name=to]:checked"), function (box) {
    if (!chipOf(box)) { addChip(box); }
  });
  update();
})();

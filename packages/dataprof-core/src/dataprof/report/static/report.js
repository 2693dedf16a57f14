"use strict";
// Interaction only: the page is complete without this script. It sorts the column
// table and filters it (and the column cards) by the search box. It reads names
// from the DOM as text and never writes HTML.
(function () {
  var table = document.getElementById("overview");
  var search = document.getElementById("column-search");
  if (!table || !search) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var cards = document.querySelectorAll("section.column");
  search.hidden = false;
  search.addEventListener("input", function () {
    var needle = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = row.getAttribute("data-name").toLowerCase().indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    cards.forEach(function (card) {
      card.hidden = card.getAttribute("data-name").toLowerCase().indexOf(needle) === -1;
    });
    document.getElementById("column-count").textContent = shown + " of " + rows.length;
  });
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (cell, index) {
    var button = cell.querySelector("button");
    if (!button) { return; }
    button.disabled = false;
    button.addEventListener("click", function () {
      var ascending = cell.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
      cell.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = cell.hasAttribute("data-numeric");
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute("data-value");
        var y = b.cells[index].getAttribute("data-value");
        var order;
        if (numeric) {
          order = (x === "" ? -1 : parseFloat(x)) - (y === "" ? -1 : parseFloat(y));
        } else {
          order = x.localeCompare(y);
        }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();

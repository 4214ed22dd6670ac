// Sorting and filtering for the report's tables. Without it the tables are plain and complete:
// every control is made here, and nothing is hidden until a reader asks.
(function () {
  "use strict";

  function text(cell) {
    return cell ? (cell.getAttribute("data-sort") || cell.textContent).trim() : "";
  }

  function compare(left, right) {
    var a = Number(left), b = Number(right);
    if (left !== "" && right !== "" && !isNaN(a) && !isNaN(b)) {
      return a - b;
    }
    return left.localeCompare(right);
  }

  function sortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (header.firstChild) {
        button.appendChild(header.firstChild);
      }
      header.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) {
          other.removeAttribute("aria-sort");
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        Array.prototype.forEach.call(table.tBodies, function (body) {
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (first, second) {
            var order = compare(text(first.cells[column]), text(second.cells[column]));
            return ascending ? order : -order;
          });
          rows.forEach(function (row) {
            body.appendChild(row);
          });
        });
      });
    });
  }

  var kinds = ["decision", "reasons", "buyer", "contract"];
  var captions = { decision: "Decision", reasons: "Reason", buyer: "Buyer", contract: "Contract" };

  // What a row says for each kind of filter, as [value, label] pairs, read from the cells of the
  // columns whose headers name the kind (`data-filter`): a reason from the links of the
  // decision's cell, or from the group of orders denied for it that holds the row.
  function describe(row) {
    var columns = {};
    Array.prototype.forEach.call(row.closest("table").tHead.rows[0].cells, function (header, index) {
      columns[header.getAttribute("data-filter")] = index;
    });
    var text = function (kind) {
      var cell = row.cells[columns[kind]];
      return cell ? cell.textContent.trim() : "";
    };
    var found = { date: text("date"), decision: [], reasons: [], buyer: [], contract: [] };
    ["buyer", "contract"].forEach(function (kind) {
      if (text(kind)) {
        found[kind].push([text(kind), text(kind)]);
      }
    });
    var decision = row.cells[columns.decision];
    if (decision) {
      var mark = decision.querySelector("[data-decision]");
      if (mark) {
        found.decision.push([mark.getAttribute("data-decision"), mark.textContent.trim()]);
      }
      Array.prototype.forEach.call(decision.querySelectorAll("a[href^='#denied-']"), function (link) {
        found.reasons.push([link.getAttribute("href").slice(8), link.textContent.trim()]);
      });
    }
    var group = row.closest("[data-group]");
    var title = group && document.getElementById("reason-" + group.id.slice(7));
    if (title) {
      found.reasons.push([group.id.slice(7), title.textContent.trim()]);
    }
    return found;
  }

  function field(form, caption, control) {
    var label = document.createElement("label");
    label.appendChild(document.createTextNode(caption + " "));
    label.appendChild(control);
    form.appendChild(label);
    return control;
  }

  function filterable(container) {
    var rows = Array.prototype.slice.call(container.querySelectorAll("tbody tr")).map(function (row) {
      return { row: row, found: describe(row) };
    });
    if (rows.length < 2) {
      return;
    }
    var form = document.createElement("form");
    form.className = "filters";
    form.setAttribute("role", "search");
    var selects = {};
    kinds.forEach(function (kind) {
      var labels = {};
      rows.forEach(function (entry) {
        entry.found[kind].forEach(function (pair) {
          labels[pair[0]] = pair[1];
        });
      });
      var values = Object.keys(labels).sort(function (a, b) {
        return labels[a].localeCompare(labels[b]);
      });
      if (values.length < 2) {
        return;
      }
      var select = document.createElement("select");
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "all";
      select.appendChild(all);
      values.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = labels[value];
        select.appendChild(option);
      });
      selects[kind] = field(form, captions[kind], select);
    });
    var from = field(form, "From", document.createElement("input"));
    from.type = "date";
    var to = field(form, "to", document.createElement("input"));
    to.type = "date";
    var status = document.createElement("output");
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });

    function apply() {
      var shown = 0;
      rows.forEach(function (entry) {
        var date = entry.found.date;
        var keep = (!from.value || date >= from.value) && (!to.value || date <= to.value);
        Object.keys(selects).forEach(function (kind) {
          var wanted = selects[kind].value;
          keep = keep && (!wanted || entry.found[kind].some(function (pair) {
            return pair[0] === wanted;
          }));
        });
        entry.row.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      Array.prototype.forEach.call(container.querySelectorAll("[data-group]"), function (group) {
        group.hidden = !group.querySelector("tbody tr:not([hidden])");
      });
      status.textContent = shown + " of " + rows.length + " shown";
    }

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    container.insertBefore(form, container.firstChild);
    // Every row is shown until a reader filters.
    status.textContent = rows.length + " of " + rows.length + " shown";
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), filterable);
})();

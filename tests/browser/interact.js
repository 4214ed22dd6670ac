// Uses the page's script as a reader would: sorts the first table it can filter by date, both
// ways, and filters it to the rows of its last date. Returns what went wrong, or an empty string.
(() => {
  const container = document.querySelector("[data-filter]");
  const form = container && container.querySelector(".filters");
  const table = container && container.querySelector("table");
  if (!form || !table) {
    return "no table has filters: the script did not run";
  }
  const column = Array.from(table.tHead.rows[0].cells).findIndex((cell) => cell.getAttribute("data-filter") === "date");
  const button = column >= 0 && table.tHead.rows[0].cells[column].querySelector("button");
  if (!button) {
    return "the Date column cannot be sorted";
  }
  const dates = () => Array.from(table.tBodies[0].rows).filter((row) => !row.hidden).map((row) => row.cells[column].textContent.trim());
  const problems = [];
  button.click();
  const ascending = dates();
  if (ascending.join() !== [...ascending].sort().join()) {
    problems.push("sorting by date does not put the earliest first");
  }
  button.click();
  const descending = dates();
  if (descending.join() !== [...descending].sort().reverse().join()) {
    problems.push("sorting by date again does not put the latest first");
  }
  const last = descending[0];
  const from = form.querySelector("input[type=date]");
  from.value = last;
  from.dispatchEvent(new Event("input", { bubbles: true }));
  const shown = dates();
  if (shown.length === 0 || shown.some((date) => date < last)) {
    problems.push("filtering from " + last + " shows " + shown.join(", "));
  }
  if (!/^[0-9]+ of [0-9]+ shown$/.test(form.querySelector("output").textContent)) {
    problems.push("the filter does not say how many rows it shows");
  }
  from.value = "";
  from.dispatchEvent(new Event("input", { bubbles: true }));
  if (dates().length !== descending.length) {
    problems.push("clearing the filter does not show every row again");
  }
  return problems.join("; ");
})()

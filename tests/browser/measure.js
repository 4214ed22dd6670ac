// Measures the page as laid out: whether it is wider than the window, which elements' text
// spills out of their box, and which words a line break cuts. A word may break only after `_`,
// `/` or `-` (where the page allows it); any other break inside a word is a broken word.
// Returns JSON; the test reads it.
(() => {
  const result = { width: document.documentElement.clientWidth, overflow: 0, spilled: [], broken: [], sections: [] };
  result.overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  const shown = (element) => element.getClientRects().length > 0;
  const describe = (element) => {
    const id = element.closest("[id]");
    return element.tagName.toLowerCase() + (id ? " in #" + id.id : "") + ": " + element.textContent.trim().slice(0, 60);
  };
  const main = document.querySelector("main");
  // The outermost elements wider than the window: what makes the page scroll sideways.
  result.wide = [];
  if (result.overflow > 0) {
    for (const element of document.body.querySelectorAll("*")) {
      const right = element.getBoundingClientRect().right;
      const parent = element.parentElement.getBoundingClientRect().right;
      if (right > result.width + 1 && parent <= result.width + 1 && result.wide.length < 5) {
        result.wide.push(describe(element) + " (" + Math.round(right) + "px)");
      }
    }
  }
  for (const element of main.querySelectorAll("td, th, dd, dt, li, p, caption, figcaption, h1, h2, h3, h4, summary")) {
    if (!shown(element) || element.closest("pre")) {
      continue;
    }
    const style = getComputedStyle(element);
    if (style.overflowX === "visible" && element.scrollWidth > element.clientWidth + 1) {
      result.spilled.push(describe(element) + " (" + element.scrollWidth + " > " + element.clientWidth + ")");
    }
  }
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("pre, svg, script, style") || !shown(parent)) {
      continue;
    }
    const text = node.data;
    const words = /[^\s]+/g;
    for (let match = words.exec(text); match; match = words.exec(text)) {
      // The pieces between the places a word may break.
      const pieces = /[^_/-]*[_/-]?/g;
      let start = match.index;
      for (const piece of match[0].match(pieces)) {
        if (piece.length === 0) {
          continue;
        }
        range.setStart(node, start);
        range.setEnd(node, start + piece.length);
        start += piece.length;
        const tops = Array.from(range.getClientRects()).filter((rect) => rect.width > 0).map((rect) => rect.top);
        if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 4) {
          result.broken.push(describe(parent) + " [" + piece + "]");
        }
      }
    }
  }
  for (const section of main.querySelectorAll("section[id]")) {
    result.sections.push(section.id);
  }
  return JSON.stringify(result);
})()

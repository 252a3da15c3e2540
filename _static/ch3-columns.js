/* Printed tables scroll sideways instead of wrapping (the book's own script; Jupyter Book links
   every .js file in _static into each page).

   Printed output wraps by default (ch3.css), so that a long summary line stays readable on a
   phone. A table printed with aligned columns would wrap into a jumble, so an output block whose
   lines mostly have three or more columns (text separated by runs of two or more spaces) gets
   the class "ch3-columns": it keeps its lines and scrolls inside its own box. */
(function () {
  const COLUMN_GAPS = /\S {2,}\S.* {2,}\S/;   // three columns or more on one line

  function isTable(text) {
    const lines = text.split("\n").filter((line) => line.trim());
    const columned = lines.filter((line) => COLUMN_GAPS.test(line.trim()));
    return columned.length >= 3 && columned.length >= 0.6 * lines.length;
  }

  function mark() {
    for (const pre of document.querySelectorAll("div.cell_output pre, div.output pre")) {
      if (isTable(pre.textContent)) pre.classList.add("ch3-columns");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();

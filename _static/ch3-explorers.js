/* Explorers in the book's HTML: no kernel runs here, so their controls would move while the
   picture stays the same. This script (Jupyter Book links every .js file in _static into each
   page) disables the controls of every explorer (ch3_code.explore puts the ch3-explorer class
   on its widget) and puts one line above it saying where the sliders do move. The widget
   manager draws the widgets after the page loads, so explorers are handled as they appear. */
(function () {
  const NOTE = "Move the sliders in a live notebook (Binder, Colab or make lab): " +
               "this page shows the picture of the first setting.";

  function freeze(explorer) {
    if (explorer.dataset.ch3Static) return;
    const controls = explorer.querySelectorAll(
      "input, select, button, textarea, .noUi-target, [role=slider]");
    if (!controls.length) return;  // not drawn yet: the observer calls again
    explorer.dataset.ch3Static = "1";
    for (const el of controls) {
      if (el.classList.contains("noUi-target")) el.setAttribute("disabled", "true");
      else if ("disabled" in el) el.disabled = true;
      el.setAttribute("aria-disabled", "true");
      if (el.getAttribute("role") === "slider") el.setAttribute("tabindex", "-1");
    }
    const note = document.createElement("p");
    note.className = "ch3-explorer-note";
    note.textContent = NOTE;
    explorer.parentNode.insertBefore(note, explorer);
  }

  function start() {
    const scan = () => document.querySelectorAll(".ch3-explorer").forEach(freeze);
    scan();
    new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

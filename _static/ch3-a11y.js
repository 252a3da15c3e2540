/* Names for controls that JavaScript draws after the page loads (the book's own script; Jupyter
   Book links every .js file in _static into each page). axe-core (tests/browser) checks them.

   - The explorers' sliders (ipywidgets, drawn by the widget manager from the stored state)
     get their label's text as their name, and their read-out as their value text, so a screen
     reader says "lmbda, 3.2" rather than "slider, 3.1999999999999993".
   - The theme's search and colour-mode buttons: their aria-label differed from the words on
     them (label-content-name-mismatch); their name now starts with those words. */
(function () {
  function text(el) {
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameSliders(root) {
    for (const slider of root.querySelectorAll(".widget-slider [role=slider]")) {
      const box = slider.closest(".widget-slider");
      const label = text(box.querySelector(".widget-label"));
      const readout = text(box.querySelector(".widget-readout"));
      if (label && !slider.getAttribute("aria-label")) slider.setAttribute("aria-label", label);
      if (readout && slider.getAttribute("aria-valuetext") !== readout) {
        slider.setAttribute("aria-valuetext", readout);
      }
    }
  }

  function nameThemeButtons() {
    for (const button of document.querySelectorAll(".search-button-field, .theme-switch-button")) {
      const words = text(button);
      const label = button.getAttribute("aria-label") || "";
      if (words && !label.toLowerCase().includes(words.toLowerCase())) {
        button.setAttribute("aria-label", label ? `${words} (${label})` : words);
      }
    }
  }

  function start() {
    nameThemeButtons();
    nameSliders(document);
    // the theme sets its buttons' labels again when the colour mode changes
    new MutationObserver(() => { nameThemeButtons(); nameSliders(document); }).observe(
      document.body, {childList: true, subtree: true, attributes: true,
                      attributeFilter: ["aria-valuenow", "aria-label"]});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

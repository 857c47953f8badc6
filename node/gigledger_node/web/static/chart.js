// Completed-gigs chart: the bars are server-rendered SVG; this only makes a tap or a
// keyboard focus on a bar say its figure in the caption (phones have no hover titles).
(function () {
  for (const chart of document.querySelectorAll("[data-chart]")) {
    const caption = chart.querySelector("[data-chart-caption]");
    const summary = caption.textContent;
    const bars = chart.querySelectorAll(".bar");
    const show = (bar) => {
      bars.forEach((other) => other.classList.toggle("active", other === bar));
      const count = Number(bar.dataset.count);
      caption.textContent = `${bar.dataset.label}: ${count} completed ${count === 1 ? "gig" : "gigs"}`;
    };
    bars.forEach((bar) => {
      bar.addEventListener("click", () => show(bar));
      bar.addEventListener("focus", () => show(bar));
      bar.addEventListener("mouseenter", () => show(bar));
    });
    chart.addEventListener("mouseleave", () => {
      bars.forEach((bar) => bar.classList.remove("active"));
      caption.textContent = summary;
    });
  }
})();

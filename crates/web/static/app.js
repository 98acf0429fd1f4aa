// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // The language switch returns to the page it was used on.
  for (const input of document.querySelectorAll("input[data-current-path]")) {
    input.value = window.location.pathname + window.location.search;
  }
});

// Signature pads: draw with a finger or the mouse; the PNG goes into the named hidden field
// when the form is submitted (an untouched pad sends nothing).
document.addEventListener("DOMContentLoaded", () => {
  for (const canvas of document.querySelectorAll("canvas[data-signature-for]")) {
    const form = canvas.closest("form");
    const field = form.querySelector(`input[name="${canvas.dataset.signatureFor}"]`);
    const pen = canvas.getContext("2d");
    pen.lineWidth = 3;
    pen.lineCap = "round";
    let drawing = false;
    let touched = false;
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
    };
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      touched = true;
      canvas.setPointerCapture(event.pointerId);
      pen.beginPath();
      pen.moveTo(...point(event));
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      pen.lineTo(...point(event));
      pen.stroke();
    });
    canvas.addEventListener("pointerup", () => { drawing = false; });
    form.querySelector("[data-signature-clear]")?.addEventListener("click", () => {
      pen.clearRect(0, 0, canvas.width, canvas.height);
      touched = false;
    });
    form.addEventListener("submit", () => {
      field.value = touched ? canvas.toDataURL("image/png") : "";
    });
  }
});

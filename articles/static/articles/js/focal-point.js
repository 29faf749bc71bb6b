// The photo library: clicking on a photo sets its focal point (the point crops keep).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector(".focal-point");
  if (!box) return;
  const image = box.querySelector("img");
  const marker = box.querySelector(".focal-marker");
  const across = document.getElementById("id_focal_x");
  const down = document.getElementById("id_focal_y");
  const place = () => {
    marker.style.left = `${Number(across.value) * 100}%`;
    marker.style.top = `${Number(down.value) * 100}%`;
  };
  image.addEventListener("click", (event) => {
    const rect = image.getBoundingClientRect();
    const round = (n) => Math.min(1, Math.max(0, n)).toFixed(3);
    across.value = round((event.clientX - rect.left) / rect.width);
    down.value = round((event.clientY - rect.top) / rect.height);
    place();
  });
  across.addEventListener("input", place);
  down.addEventListener("input", place);
  place();
});

// Embedded videos and posts: nothing is loaded from the provider until the reader clicks.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest(".embed-load");
  if (!button) return;
  const box = button.closest(".embed");
  const frame = document.createElement("iframe");
  frame.src = box.dataset.embedSrc;
  frame.title = box.dataset.embedTitle;
  frame.loading = "lazy";
  frame.allowFullscreen = true;
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  frame.setAttribute("allow", "encrypted-media; picture-in-picture; fullscreen");
  box.replaceChildren(frame);
  box.classList.add("embed-loaded");
  frame.focus();
});

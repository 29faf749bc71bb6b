// The edit page's heartbeat: tells the server this person has the story open, and shows
// who else has it open and since when (articles/desk.py). Not a lock: saves decide.
"use strict";
(function () {
  const line = document.getElementById("desk-presence");
  const form = document.getElementById("article_form");
  if (!line || !form) return;
  const url = line.dataset.url;
  const token = () => form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const every = Number(line.dataset.interval || 20) * 1000;

  function post(extra) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token());
    for (const [name, value] of Object.entries(extra || {})) data.append(name, value);
    return data;
  }

  async function beat() {
    try {
      const response = await fetch(url, {
        method: "POST",
        body: post(),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      });
      if (!response.ok) return;
      const answer = await response.json();
      line.textContent = answer.text;
      line.hidden = !answer.text;
    } catch (error) {
      // Offline for a moment: the next beat tries again.
    }
  }

  beat();
  setInterval(beat, every);
  window.addEventListener("pagehide", () => navigator.sendBeacon(url, post({ leave: "1" })));
})();

// Counts one view of the story this page shows, for "Đọc nhiều" (articles/most_read.py):
// a beacon to the address in this script's data-count-url, sent once the page is shown.
// It sends no cookie the site set and reads nothing of the page.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-count-url");
  if (!url) {
    return;
  }
  function send() {
    if (navigator.sendBeacon && navigator.sendBeacon(url)) {
      return;
    }
    if (window.fetch) {
      fetch(url, { method: "POST", keepalive: true, credentials: "omit", cache: "no-store" });
    }
  }
  // A page opened in a background tab is counted when it is first looked at.
  if (document.visibilityState === "hidden") {
    document.addEventListener("visibilitychange", function shown() {
      if (document.visibilityState === "visible") {
        document.removeEventListener("visibilitychange", shown);
        send();
      }
    });
  } else {
    send();
  }
})();

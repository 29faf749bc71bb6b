/*
 * Autosave of the article's edit form (articles/autosave.py).
 *
 * A few seconds after the editor last typed, and whenever the form has changed
 * otherwise (a block dragged, a widget's hidden field updated), the whole form
 * is sent, as the browser would post it but without its CSRF token and files,
 * to the admin's autosave address. It is not a save: the article and what
 * readers see do not change. Leaving the page with changes not saved asks
 * first, except when the editor pressed a Save button.
 *
 * Everything it says comes translated from the page (#autosave's data- attributes).
 */
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("autosave");
    var form = box && document.getElementById(box.dataset.form);
    if (!form) {
      return;
    }
    var status = box.querySelector(".autosave-status");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var delay = (parseFloat(box.dataset.delay) || 3) * 1000;
    var unsaved = box.dataset.unsaved === "1";
    var leaving = false;
    var timer = null;
    var sending = false;
    var baseline = null;
    var lastSent = null;

    function say(text) {
      status.textContent = text;
    }

    function snapshot() {
      var data = [];
      var files = [];
      new FormData(form).forEach(function (value, name) {
        if (name === "csrfmiddlewaretoken" || name.indexOf("__prefix__") !== -1) {
          return;
        }
        if (typeof value === "string") {
          data.push([name, value]);
        } else if (value && value.name) {
          files.push(name);
        }
      });
      return JSON.stringify({ data: data, files: files });
    }

    function changed() {
      return unsaved || (baseline !== null && snapshot() !== baseline);
    }

    function send() {
      timer = null;
      if (leaving || baseline === null) {
        return;
      }
      var body = snapshot();
      if (body === lastSent) {
        return;
      }
      if (sending) {
        schedule();
        return;
      }
      sending = true;
      say(box.dataset.msgSaving);
      fetch(box.dataset.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (answer) {
              if (response.ok && answer.shown) {
                lastSent = body;
                say(box.dataset.msgSaved.replace("{time}", answer.shown));
              } else if (response.type === "opaqueredirect") {
                say(box.dataset.msgLogin); // the session ended: the admin sends to its login
              } else {
                say(box.dataset.msgFailed + " " + (answer.error || response.status || ""));
              }
            });
        })
        .catch(function () {
          say(box.dataset.msgOffline);
        })
        .then(function () {
          sending = false;
        });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(send, delay);
    }

    function pressedSave(event) {
      if (event.target.closest("[type=submit]")) {
        leaving = true;
      }
    }

    // The page's address of a restore opens the article as stored, once saved.
    if (window.history.replaceState && window.location.search.indexOf(box.dataset.restoreParam) !== -1) {
      var url = new URL(window.location.href);
      url.searchParams.delete(box.dataset.restoreParam);
      window.history.replaceState(null, "", url.toString());
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("click", pressedSave);
    form.addEventListener("submit", function () {
      leaving = true;
      clearTimeout(timer);
    });
    window.addEventListener("beforeunload", function (event) {
      if (!leaving && changed()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    // The form as it opened, once every widget has set itself up.
    function settle() {
      baseline = lastSent = snapshot();
      if (unsaved) {
        lastSent = null;
      }
      setInterval(function () {
        if (!timer && !sending) {
          send();
        }
      }, delay * 2);
    }
    if (document.readyState === "complete") {
      setTimeout(settle, 0);
    } else {
      window.addEventListener("load", function () {
        setTimeout(settle, 0);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* Moving the body's blocks with the keyboard, beside django-content-editor's drag and drop.
 *
 * Each block's title bar gets "move up" and "move down" buttons, and Alt+ArrowUp or
 * Alt+ArrowDown moves the block that has the focus. A move renumbers the blocks' ordering
 * fields as content-editor's drop does (10, 20, 30… in the new order, each block's CSS
 * order the same), and puts the other blocks around the moved one in the page, so that Tab
 * follows the order seen; the moved block never leaves the page, so it keeps the focus.
 * The move is announced in the status line of the edit page (#block-order-status), whose
 * data-msg-* attributes carry the translated words.
 */
(function () {
  "use strict";

  var status = null;

  function message(name, values) {
    var text = status.dataset[name] || "";
    Object.keys(values).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function ordering(block) {
    var input = block.querySelector(".order-machine-ordering");
    return input ? +input.value : NaN;
  }

  // The blocks of the body in the order the editor sees them: content-editor's rule.
  function blocksInOrder() {
    var machine = document.querySelector(".order-machine");
    if (!machine) return [];
    var blocks = Array.prototype.filter.call(
      machine.querySelectorAll(".inline-related:not(.empty-form)"),
      function (block) {
        return !Number.isNaN(ordering(block));
      }
    );
    blocks.sort(function (a, b) {
      return ordering(a) - ordering(b);
    });
    return blocks;
  }

  function kindOf(block) {
    var kind = block.querySelector(":scope > h3 > b");
    return kind ? kind.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function move(block, step) {
    var all = blocksInOrder();
    var region = block.dataset.region;
    var same = all.filter(function (other) {
      return other.dataset.region === region;
    });
    var at = same.indexOf(block);
    var neighbour = same[at + step];
    if (at === -1) return;
    if (!neighbour) {
      announce(message(step < 0 ? "msgFirst" : "msgLast", { block: kindOf(block) }));
      return;
    }
    all.splice(all.indexOf(block), 1);
    all.splice(all.indexOf(neighbour) + (step > 0 ? 1 : 0), 0, block);
    all.forEach(function (each, index) {
      var value = 10 * (index + 1);
      each.querySelector(".order-machine-ordering").value = value;
      each.style.order = value;
    });
    // The page's order follows, the moved block staying where it is in the document.
    var place = all.indexOf(block);
    for (var i = 0; i < place; i++) block.before(all[i]);
    for (var j = all.length - 1; j > place; j--) block.after(all[j]);
    block.scrollIntoView({ block: "nearest" });
    var order = blocksInOrder().filter(function (other) {
      return other.dataset.region === region;
    });
    announce(
      message(step < 0 ? "msgUp" : "msgDown", {
        block: kindOf(block),
        place: order.indexOf(block) + 1,
        count: order.length,
      })
    );
    block.closest("form").dispatchEvent(new Event("change", { bubbles: true }));
  }

  function announce(text) {
    // Emptied first, so that the same words said twice are said again.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function addButtons(block) {
    var title = block.querySelector(":scope > h3");
    if (!title || title.querySelector(".block-move")) return;
    var group = document.createElement("span");
    group.className = "block-move";
    [
      ["up", -1, status.dataset.labelUp, "Alt+ArrowUp", "\u2191"],
      ["down", 1, status.dataset.labelDown, "Alt+ArrowDown", "\u2193"],
    ].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "block-move-" + spec[0];
      button.dataset.step = spec[1];
      button.setAttribute("aria-label", spec[2]);
      button.setAttribute("aria-keyshortcuts", spec[3]);
      button.title = spec[2] + " (" + spec[3].replace("Arrow", "") + ")";
      button.textContent = spec[4];
      group.appendChild(button);
    });
    title.appendChild(group);
  }

  function start() {
    status = document.getElementById("block-order-status");
    var wrapper = document.querySelector(".order-machine-wrapper");
    if (!status || !wrapper || wrapper.classList.contains("order-machine-readonly")) return;
    blocksInOrder().forEach(addButtons);
    document.addEventListener("content-editor:activate", function (event) {
      var block = event.detail && event.detail.inline;
      if (block && !block.classList.contains("empty-form")) addButtons(block);
    });
    wrapper.addEventListener(
      "click",
      function (event) {
        var button = event.target.closest(".block-move button");
        if (!button) return;
        // The title bar's own click folds the block: not this one.
        event.preventDefault();
        event.stopPropagation();
        move(button.closest(".inline-related"), +button.dataset.step);
      },
      true
    );
    wrapper.addEventListener("keydown", function (event) {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
      if (event.defaultPrevented) return;
      var block = event.target.closest(".order-machine .inline-related:not(.empty-form)");
      if (!block) return;
      event.preventDefault();
      move(block, event.key === "ArrowUp" ? -1 : 1);
    });
  }

  document.addEventListener("content-editor:ready", start);
})();

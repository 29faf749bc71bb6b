/*
 * Runs the admin's own slug scripts outside a browser: reads {scripts, field,
 * dependency, maxLength, allowUnicode, title} as JSON on stdin, loads the scripts in
 * order into one global scope with the little of jQuery that prepopulate.js uses,
 * types the title, and prints the slug field's value.
 */
"use strict";
const fs = require("fs");
const vm = require("vm");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const elements = {};
const listeners = {};

function element(selector) {
  return (elements[selector] ||= { value: "", handlers: {}, data: {} });
}

const fn = {};
function wrap(nodes) {
  return Object.assign(Object.create(fn), {
    each(callback) { nodes.forEach((node) => callback.call(node)); return this; },
    val(value) {
      if (value === undefined) return nodes[0].value;
      nodes.forEach((node) => { node.value = value; });
      return this;
    },
    data(key, value) {
      if (value === undefined) return nodes[0].data[key];
      nodes.forEach((node) => { node.data[key] = value; });
      return this;
    },
    on(events, handler) {
      for (const name of events.split(" ")) {
        nodes.forEach((node) => (node.handlers[name] ||= []).push(handler));
      }
      return this;
    },
  });
}
function $(what) {
  return typeof what === "string" ? wrap(what.split(",").map(element)) : wrap([what]);
}
$.fn = fn;
$.each = (items, callback) => items.forEach((item, index) => callback(index, item));

const scope = {
  django: { jQuery: $ },
  document: { addEventListener: (name, handler) => (listeners[name] ||= []).push(handler) },
};
scope.window = scope;
vm.createContext(scope);
for (const path of input.scripts) {
  vm.runInContext(fs.readFileSync(path, "utf8"), scope, { filename: path });
}
(listeners.DOMContentLoaded || []).forEach((handler) => handler());

$(input.field).prepopulate([input.dependency], input.maxLength, input.allowUnicode);
element(input.dependency).value = input.title;
element(input.dependency).handlers.keyup.forEach((handler) => handler());
process.stdout.write(JSON.stringify(element(input.field).value));

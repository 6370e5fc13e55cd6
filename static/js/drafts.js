// What a person typed in a form marked `data-keep-draft` is kept in this tab (sessionStorage)
// when they send it, so that it is not lost when the server cannot save it:
// - the database outage page (core.outages, marked `data-draft-failed`) marks the draft of the
//   form it answered as failed, and says the text is kept;
// - a form drawn again in answer to its own sending (`data-draft-restore`: a 400 or a full
//   disk), or a form whose draft failed, gets the text back, with a note;
// - any other drawing of the form (the page after a successful save) forgets the draft, so that
//   saved work is never overwritten by an older copy.
// Files cannot be kept by a page: the note asks for them again.
(function () {
  "use strict";
  var PREFIX = "lms-draft:";
  var MAX_AGE_MS = 24 * 60 * 60 * 1000;

  function storage() {
    try { return window.sessionStorage; } catch (error) { return null; }  // storage disabled
  }

  function keyFor(form) {
    return PREFIX + new URL(form.getAttribute("action") || "", window.location.href).pathname;
  }

  function read(key) {
    var store = storage();
    if (!store) { return null; }
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (draft && Date.now() - draft.at < MAX_AGE_MS) { return draft; }
    } catch (error) { /* a value not ours: forgotten below */ }
    store.removeItem(key);
    return null;
  }

  function write(key, draft) {
    var store = storage();
    if (!store) { return false; }
    try { store.setItem(key, JSON.stringify(draft)); return true; } catch (error) { return false; }
  }

  function kept(field) {
    if (!field.name || field.disabled) { return false; }
    var type = (field.type || "").toLowerCase();
    return ["file", "hidden", "password", "submit", "button", "reset", "image"].indexOf(type) < 0;
  }

  function values(form) {
    var found = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) { return; }
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        found[field.name + "=" + field.value] = field.checked;
      } else if (field.tagName === "SELECT" && field.multiple) {
        found[field.name] = Array.prototype.filter.call(field.options, function (option) {
          return option.selected;
        }).map(function (option) { return option.value; });
      } else {
        found[field.name] = field.value;
      }
    });
    return found;
  }

  function restore(form, saved) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) { return; }
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        var choice = field.name + "=" + field.value;
        if (Object.prototype.hasOwnProperty.call(saved, choice)) { field.checked = saved[choice]; }
      } else if (Object.prototype.hasOwnProperty.call(saved, field.name)) {
        if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (option) {
            option.selected = saved[field.name].indexOf(option.value) >= 0;
          });
        } else {
          field.value = saved[field.name];
        }
      }
    });
    var note = form.querySelector(".draft-note");
    if (note) { note.hidden = false; }
  }

  function outagePage() {
    var marker = document.querySelector("[data-draft-failed]");
    if (!marker) { return false; }
    var key = PREFIX + window.location.pathname;
    var draft = read(key);
    if (draft) {
      draft.failed = true;
      write(key, draft);
      Array.prototype.forEach.call(marker.querySelectorAll(".outage-draft-kept"), function (p) {
        p.hidden = false;
      });
      Array.prototype.forEach.call(marker.querySelectorAll(".outage-draft-unknown"), function (p) {
        p.hidden = true;
      });
    }
    return true;
  }

  function onShow() {
    if (outagePage()) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep-draft]"), function (form) {
      var key = keyFor(form);
      var draft = read(key);
      if (!draft) { return; }
      if (draft.failed || form.hasAttribute("data-draft-restore")) {
        restore(form, draft.values);
      } else {
        storage().removeItem(key);
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-keep-draft]")) { return; }
    write(keyFor(form), { at: Date.now(), failed: false, values: values(form) });
  });
  // `pageshow` also runs when the browser shows a page again from its back-forward cache.
  window.addEventListener("pageshow", onShow);
})();

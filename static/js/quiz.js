// Quiz attempts: autosave answers as they change, and count down the time the SERVER says is
// left (the page renders it; every autosave re-syncs it), warning at 5 and 1 minutes.
// The server keeps the deadline; this only helps the trainee see it and not lose answers.
(function () {
  "use strict";
  var form = document.querySelector(".quiz-form");
  var status = document.querySelector(".quiz-save-status");
  var clock = document.querySelector(".quiz-timer");
  var endsAt = null;  // the browser's Date.now() at which the server's deadline falls

  function say(text) { if (status) { status.textContent = text; } }

  function syncClock(seconds) {
    if (typeof seconds === "number" && isFinite(seconds)) {
      endsAt = Date.now() + seconds * 1000;
    }
  }

  if (form) {
    var saveUrl = form.getAttribute("data-autosave-url");
    var pending = null;
    var save = function () {
      return fetch(saveUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.status === 409) { window.location.reload(); return null; }
        say(response.ok ? form.getAttribute("data-saved-text") || "✓" : "!");
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data) { syncClock(data.remaining); }
      }).catch(function () { say("!"); });
    };
    form.addEventListener("change", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(save, 600);
    });
  }

  if (!clock) { return; }
  var face = clock.querySelector(".quiz-timer-clock");
  var warning = document.querySelector(".quiz-timer-warning");
  var warnAt = parseInt(clock.getAttribute("data-warning-at"), 10);
  var dangerAt = parseInt(clock.getAttribute("data-danger-at"), 10);
  var announced = "";
  syncClock(parseInt(clock.getAttribute("data-remaining"), 10));

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function show(left) {
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var seconds = left % 60;
    face.textContent = hours ? hours + ":" + two(minutes) + ":" + two(seconds)
      : minutes + ":" + two(seconds);
    var level = left < dangerAt ? "danger" : (left < warnAt ? "warning" : "");
    clock.classList.toggle("quiz-timer--warning", level === "warning");
    clock.classList.toggle("quiz-timer--danger", level === "danger");
    if (warning && level !== announced) {
      // A live region announces changes only: the text is (re)written once per level.
      announced = level;
      warning.className = "quiz-timer-warning" + (level ? " quiz-timer-warning--" + level : "");
      warning.textContent = "";
      if (level) {
        var icon = document.createElement("span");
        icon.className = "quiz-timer-icon";
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = "⚠";
        warning.appendChild(icon);
        warning.appendChild(document.createTextNode(" " +
          clock.getAttribute(level === "danger" ? "data-danger-text" : "data-warning-text")));
      }
    }
  }

  var submitted = false;
  function tick() {
    var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    show(left);
    if (left === 0 && !submitted) {
      // Time is up: send what is on the page; the server takes it within its grace period.
      var timeout = document.querySelector(".quiz-timeout-form");
      submitted = true;
      if (timeout) { timeout.submit(); }
      return;
    }
    window.setTimeout(tick, 250);
  }
  tick();
}());

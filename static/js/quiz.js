// Quiz attempts: autosave answers as they change, and count down to the deadline.
// The server keeps the deadline; this only helps the trainee see it and not lose answers.
(function () {
  "use strict";
  var form = document.querySelector(".quiz-form");
  if (!form) { return; }
  var status = document.querySelector(".quiz-save-status");
  var saveUrl = form.getAttribute("data-autosave-url");
  var timer = null;

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    var body = new FormData(form);
    return fetch(saveUrl, {
      method: "POST",
      body: body,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 409) { window.location.reload(); return; }
      say(response.ok ? form.getAttribute("data-saved-text") || "✓" : "!");
    }).catch(function () { say("!"); });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 600);
  });

  var clock = document.querySelector(".quiz-timer");
  if (clock) {
    var deadline = new Date(clock.getAttribute("data-deadline")).getTime();
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      clock.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 0) { form.submit(); return; }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
}());

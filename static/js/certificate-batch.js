// The certificate batch page: poll the batch's status every second while it runs, and move the
// progress bar, its "n of N" text and the lists. Without JavaScript the page refreshes itself.
(function () {
    "use strict";
    var section = document.querySelector("[data-batch-status]");
    if (!section || section.dataset.running !== "true") {
        return;
    }
    var url = section.dataset.batchStatus;
    var bar = document.getElementById("batch-progress");
    var text = document.getElementById("batch-progress-text");
    var lists = document.getElementById("batch-lists");
    var lastLists = null;

    function show(data) {
        bar.max = data.total || 1;
        bar.value = data.total ? data.finished : 1;
        bar.textContent = text.textContent = data.text;
        if (data.lists !== lastLists) {
            lists.innerHTML = data.lists;
            lastLists = data.lists;
        }
        if (!data.running || (data.stalled && !document.getElementById("batch-stalled"))) {
            // Finished (the state line, buttons and messages change) or stuck (offer to resume).
            window.location.reload();
            return false;
        }
        return true;
    }

    function poll() {
        fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
            .then(function (response) {
                if (!response.ok) {
                    throw new Error(response.status);
                }
                return response.json();
            })
            .then(function (data) {
                if (show(data)) {
                    window.setTimeout(poll, 1000);
                }
            })
            .catch(function () {
                window.setTimeout(poll, 5000);  // the network hiccuped: try again, more slowly
            });
    }

    window.setTimeout(poll, 1000);
})();

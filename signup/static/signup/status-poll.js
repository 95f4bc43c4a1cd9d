// The applicant's status page: "Check status" and, while the page is open, a check every
// data-poll-seconds (30 s) that can be paused (WCAG 2.2.1 / 2.2.2). Only the status region is
// replaced; a change is announced politely in the live region #status-live. Never reloads the page.
(function () {
  "use strict";
  var region = document.getElementById("application-progress");
  var form = document.getElementById("status-check");
  var toggle = document.getElementById("status-poll-toggle");
  var note = document.getElementById("status-poll-note");
  var live = document.getElementById("status-live");
  if (!region || !form || !region.dataset.pollSeconds) {
    return;
  }
  var seconds = Math.max(30, parseInt(region.dataset.pollSeconds, 10) || 30);
  var timer = null;
  var paused = false;

  function statusText(element) {
    var status = element.querySelector("#application-status");
    return status ? status.textContent.trim() : "";
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = paused || document.hidden ? null : window.setTimeout(function () { check(false); }, seconds * 1000);
  }

  function finish() {
    window.clearTimeout(timer);
    paused = true;
    form.hidden = true;
    note.hidden = true;
  }

  function check(asked) {
    fetch(form.action, { headers: { Accept: "text/html" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("application-progress");
        if (!fresh) {
          throw new Error("no status");
        }
        var before = statusText(region);
        region.innerHTML = fresh.innerHTML;
        var after = statusText(region);
        if (after !== before) {
          live.textContent = region.querySelector(".lead").textContent.trim();
        } else if (asked) {
          live.textContent = live.dataset.unchanged + " " + region.querySelector(".lead").textContent.trim();
        }
        if (!fresh.dataset.pollSeconds) {
          finish();
        } else {
          schedule();
        }
      })
      .catch(function () {
        if (asked) {
          form.submit();  // fall back to loading the page
        } else {
          schedule();
        }
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    live.textContent = "";
    check(true);
  });
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.textContent = paused ? toggle.dataset.resume : toggle.dataset.pause;
    schedule();
  });
  document.addEventListener("visibilitychange", schedule);
  toggle.hidden = false;
  note.hidden = false;
  schedule();
})();

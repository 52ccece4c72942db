// Keeps the board fresh without reloading: every few seconds it asks the server for what
// goes inside <main> (the server renders and escapes it) and swaps it in when it changed.
// No framework, no build step; without JavaScript the page refreshes itself (<noscript>).
"use strict";
(function () {
  var main = document.getElementById("live");
  if (!main || !main.dataset.part || !window.fetch) { return; }
  var every = Math.max(1, parseInt(main.dataset.every, 10) || 10) * 1000;
  var etag = null;
  function poll() {
    if (document.hidden) { return; }
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(main.dataset.part, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (answer) {
        if (answer.status !== 200) { return null; }
        etag = answer.headers.get("ETag");
        return answer.text();
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          main.innerHTML = html;
          main.dataset.refreshed = String(Date.now());
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }
  setInterval(poll, every);
  document.addEventListener("visibilitychange", poll);
})();

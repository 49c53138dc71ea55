// The popup's last page: hands the result to the window that opened it (the messenger frame,
// or the console for a test sign-in), only if that window is of our own origin, then closes.
(function () {
  'use strict';
  var text = document.getElementById('switchboard-result').textContent;
  var result = JSON.parse(text);
  if (window.opener) {
    // As JSON text: the messenger and the console read it the same way.
    window.opener.postMessage(text, location.origin);
    if (result.type === 'switchboard:signed-in') window.close();
  }
})();

// The idle warning: shortly before the session would end for lack of activity, say so and offer
// to stay signed in, so that a long note being typed is not lost to the sign-in page.
//
// The page says how long the idle timeout is and how long before its end to warn (#idle-warning's
// data attributes, templates/base.html). At that point the script asks the server how long the
// session really has left (the user may have been active in another tab; asking does not count
// as activity) and warns only if it is about to end. "Stay signed in" POSTs to the keep-alive
// endpoint, which slides the session. When the time runs out the page stays as it is, so that
// what the user typed can still be copied, and the warning says they were signed out, with a
// button that loads the page again: the sign-in page, its notice, then back here.
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box || !window.fetch) { return; }
  var data = box.dataset;
  var idleSeconds = parseInt(data.idleSeconds, 10);
  var leadSeconds = parseInt(data.leadSeconds, 10);
  var text = box.querySelector(".idle-warning-text");
  var stay = box.querySelector(".idle-warning-stay");
  var checkTimer = null;
  var tickTimer = null;
  var endsAt = 0;
  var clock = null;
  var signedOutNow = false;

  function clearTimers() {
    window.clearTimeout(checkTimer);
    window.clearInterval(tickTimer);
    checkTimer = null;
    tickTimer = null;
  }

  // Ask again `lead` seconds before a session with `secondsLeft` seconds would end.
  function schedule(secondsLeft) {
    clearTimers();
    checkTimer = window.setTimeout(check, Math.max(0, secondsLeft - leadSeconds) * 1000);
  }

  function formatTime(seconds) {
    var s = Math.max(0, seconds);
    var rest = s % 60;
    return Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function secondsToGo() {
    return Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  }

  // The sentence, built once when the warning shows (a screen reader reads it then); the time
  // in it then counts down in a part the live region does not announce every second.
  function render() {
    var parts = data.message.split("{time}");
    text.textContent = "";
    text.appendChild(document.createTextNode(parts[0]));
    clock = document.createElement("strong");
    clock.setAttribute("aria-live", "off");
    clock.textContent = formatTime(secondsToGo());
    text.appendChild(clock);
    text.appendChild(document.createTextNode(parts.slice(1).join("{time}")));
  }

  function hide(secondsLeft) {
    box.hidden = true;
    schedule(secondsLeft);
  }

  function show(secondsLeft) {
    clearTimers();
    endsAt = Date.now() + secondsLeft * 1000;
    if (box.hidden) {
      render();
      box.hidden = false;  // focus stays where the user is typing
    } else {
      clock.textContent = formatTime(secondsToGo());
    }
    tickTimer = window.setInterval(tick, 1000);
  }

  function tick() {
    var left = secondsToGo();
    clock.textContent = formatTime(left);
    if (left <= 0) {
      clearTimers();
      check();  // another tab may have kept the session alive meanwhile
    }
  }

  // Signed out: say so and leave the page alone (what was typed can still be copied); the
  // button loads the page again — the sign-in page with its notice, then back to this page
  // (GET: a page that answered a POST is not posted again).
  function signedOut() {
    clearTimers();
    signedOutNow = true;
    text.textContent = data.signedOutMessage;
    stay.textContent = data.signInLabel;
    stay.disabled = false;
    box.hidden = false;
  }

  function signInAgain() {
    window.location.assign(window.location.pathname + window.location.search);
  }

  function answer(response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }

  function act(payload) {
    var left = payload && typeof payload.seconds_left === "number" ? payload.seconds_left : 0;
    if (left <= 0) {
      signedOut();
    } else if (left > leadSeconds) {
      hide(left);
    } else {
      show(left);
    }
  }

  // A failed request (network down) is tried again shortly; the warning, if shown, counts on.
  function retry() {
    if (tickTimer === null) {
      checkTimer = window.setTimeout(check, 10000);
    }
  }

  function check() {
    fetch(data.statusUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(answer).then(act).catch(retry);
  }

  stay.addEventListener("click", function () {
    if (signedOutNow) { signInAgain(); return; }
    stay.disabled = true;
    fetch(data.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": data.csrfToken }
    }).then(answer).then(act).catch(check).then(function () {
      if (!signedOutNow) { stay.disabled = false; }
    });
  });

  schedule(idleSeconds);
})();

// Nobody loses what they typed to a session timeout (plie/sessions.py holds the limits).
//
// - Typing in a form sends a light keep-alive request, at most every few minutes.
// - A warning appears a few minutes before the end, with a « Rester connecté » button; the last
//   activity in any tab of the session counts (shared through localStorage).
// - A form is always sent with the current CSRF token (read from the cookie): after logging in
//   again in another tab, the Back button and a new submit are enough.
// The timings (seconds) come from <body data-session-*>, which only logged-in pages carry.
(function () {
  "use strict";

  var body = document.body;

  function cookieToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function bodyToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || null;
    } catch (error) {
      return null;
    }
  }

  function token() {
    return cookieToken() || bodyToken();
  }

  document.addEventListener(
    "submit",
    function (event) {
      var input = event.target.querySelector("input[name=csrfmiddlewaretoken]");
      var current = cookieToken();
      if (input && current) {
        input.value = current;
      }
    },
    true
  );
  document.addEventListener("htmx:configRequest", function (event) {
    var current = cookieToken();
    if (current) {
      event.detail.headers["X-CSRFToken"] = current;
    }
  });

  var idle = Number(body.dataset.sessionIdle);
  if (!idle) {
    return; // not logged in
  }
  var started = Date.now();
  var absoluteEnd = started + Number(body.dataset.sessionRemainingAbsolute) * 1000;
  var warningBefore = Math.min(Number(body.dataset.sessionWarning), idle / 2) * 1000;
  var keepaliveEvery = Math.min(Number(body.dataset.sessionKeepaliveEvery), idle / 3) * 1000;
  var keepaliveUrl = body.dataset.sessionKeepaliveUrl;
  var loginUrl = body.dataset.sessionLoginUrl;

  var idleEnd = started + idle * 1000; // this page's request was the last activity
  var lastKeepalive = started;
  var pendingKeepalive = null;
  var alertBox = null;
  var ended = false;

  // Other tabs of the same session: the last activity in any of them counts (localStorage).
  var SHARED = "plie-session-activity";

  function share() {
    try {
      localStorage.setItem(SHARED, JSON.stringify({ seen: lastKeepalive, absoluteEnd: absoluteEnd }));
    } catch (error) {
      // Private browsing without storage: each tab keeps its own count.
    }
  }

  window.addEventListener("storage", function (event) {
    if (event.key !== SHARED || !event.newValue) {
      return;
    }
    var activity = JSON.parse(event.newValue);
    if (activity.seen + idle * 1000 > idleEnd) {
      idleEnd = activity.seen + idle * 1000;
      absoluteEnd = activity.absoluteEnd;
      ended = false;
      removeAlert();
      check();
    }
  });

  function end() {
    return Math.min(idleEnd, absoluteEnd);
  }

  function minutesLeft() {
    return Math.max(1, Math.ceil((end() - Date.now()) / 60000));
  }

  function removeAlert() {
    if (alertBox) {
      alertBox.remove();
      alertBox = null;
    }
  }

  function showAlert(kind, text, withButton) {
    removeAlert();
    alertBox = document.createElement("div");
    alertBox.className = "alert alert-" + kind + " session-alert position-fixed bottom-0 end-0 m-3 shadow";
    alertBox.setAttribute("role", "alert");
    alertBox.id = "session-alert";
    var paragraph = document.createElement("p");
    paragraph.className = withButton ? "mb-2" : "mb-0";
    paragraph.textContent = text;
    alertBox.appendChild(paragraph);
    if (withButton) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-primary btn-sm";
      button.textContent = "Rester connecté";
      button.addEventListener("click", keepAlive);
      alertBox.appendChild(button);
    } else if (ended) {
      var link = document.createElement("a");
      link.href = loginUrl;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = "Se reconnecter dans un nouvel onglet";
      paragraph.appendChild(document.createTextNode(" "));
      paragraph.appendChild(link);
    }
    document.body.appendChild(alertBox);
  }

  function showEnded() {
    ended = true;
    showAlert(
      "danger",
      "Votre session a expiré. Ce que vous avez saisi sur cette page n'est pas perdu, mais ne sera " +
        "enregistré qu'une fois reconnecté : reconnectez-vous dans un nouvel onglet, puis revenez ici " +
        "et envoyez le formulaire.",
      false
    );
  }

  function keepAlive() {
    if (ended) {
      return;
    }
    if (pendingKeepalive) {
      clearTimeout(pendingKeepalive);
      pendingKeepalive = null;
    }
    lastKeepalive = Date.now();
    var headers = { "X-Requested-With": "XMLHttpRequest" };
    var csrf = token();
    if (csrf) {
      headers["X-CSRFToken"] = csrf;
    }
    fetch(keepaliveUrl, { method: "POST", headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 204) {
          idleEnd = lastKeepalive + idle * 1000;
          removeAlert();
          share();
        } else {
          showEnded();
        }
      })
      .catch(function () {
        // Network trouble: the next keystroke tries again.
        lastKeepalive = 0;
      });
  }

  document.addEventListener("input", function (event) {
    if (ended || !event.target.form) {
      return;
    }
    var wait = lastKeepalive + keepaliveEvery - Date.now();
    if (wait <= 0) {
      keepAlive();
    } else if (!pendingKeepalive) {
      pendingKeepalive = setTimeout(keepAlive, wait);
    }
  });

  function check() {
    if (ended) {
      return;
    }
    var left = end() - Date.now();
    if (left <= 0) {
      showEnded();
    } else if (left <= warningBefore) {
      if (!alertBox) {
        if (absoluteEnd <= idleEnd) {
          showAlert(
            "warning",
            "Par sécurité, votre session se terminera dans " +
              minutesLeft() +
              " minute(s), quelle que soit votre activité : enregistrez ce que vous avez saisi.",
            false
          );
        } else {
          showAlert(
            "warning",
            "Votre session va expirer dans " +
              minutesLeft() +
              " minute(s) faute d'activité. Ce que vous saisissez serait alors refusé à l'envoi.",
            true
          );
        }
      }
    } else if (alertBox) {
      removeAlert();
    }
  }

  share();
  setInterval(check, Math.min(5000, warningBefore / 4));
})();

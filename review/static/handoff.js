// The hand-off inbox, live: server-sent events from /handoff/events and
// /handoff/<user>/events; forms sent with fetch (CSRF token in X-CSRF-Token).
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function follow(url, apply) {
    var source = new EventSource(url);
    source.onmessage = function (event) {
      apply(JSON.parse(event.data));
    };
  }

  function chime() {
    // A short tone when a tourist starts waiting (browsers allow it after a first click).
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.2);
    } catch (e) {
      /* no sound on this browser: the notification and the list remain */
    }
  }

  var inbox = document.getElementById("handoff-inbox");
  if (inbox) {
    var L = JSON.parse(inbox.dataset.labels);
    var seen = null;
    follow(inbox.dataset.events, function (conversations) {
      var body = inbox.tBodies[0];
      body.textContent = "";
      var waiting = [];
      conversations.forEach(function (c) {
        var row = el("tr");
        row.dataset.user = c.user;
        var link = el("a", "", c.user);
        link.href = "/handoff/" + c.user;
        var cell = el("td");
        cell.appendChild(link);
        row.appendChild(cell);
        [c.language, c.channel, c.place].forEach(function (v) {
          row.appendChild(el("td", "", v));
        });
        var last = el("td");
        c.last.forEach(function (m) {
          last.appendChild(el("div", m.sender, m.text));
        });
        row.appendChild(last);
        row.appendChild(el("td", "num", Math.floor(c.waiting_seconds / 60) + " min"));
        row.appendChild(
          el("td", "", c.taken_by ? L.handoff_taken_by + " " + c.taken_by : L.handoff_waiting)
        );
        body.appendChild(row);
        if (!c.taken_by) waiting.push(c.user);
      });
      document.getElementById("handoff-empty").hidden = conversations.length > 0;
      if (seen !== null) {
        waiting.forEach(function (user) {
          if (seen.indexOf(user) >= 0) return;
          chime();
          if (window.Notification && Notification.permission === "granted") {
            new Notification(L.handoff_new_waiting);
          }
        });
      }
      seen = waiting;
    });
    if (window.Notification && Notification.permission === "default") {
      document.addEventListener("click", function () { Notification.requestPermission(); }, { once: true });
    }
    return;
  }

  var section = document.getElementById("handoff-conversation");
  if (!section) return;
  var user = section.dataset.user;
  var csrf = section.dataset.csrf;
  var me = section.dataset.me;
  var T = JSON.parse(section.dataset.labels);
  var text = document.getElementById("handoff-text");

  function send(form) {
    var body = new FormData(form);
    return fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (value) {
        if (!response.ok && value.error && T[value.error]) {
          document.getElementById("handoff-rule").textContent = T[value.error];
        }
        return value;
      });
    });
  }

  ["handoff-take", "handoff-reply", "handoff-back"].forEach(function (id) {
    var form = document.getElementById(id);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form).then(function () {
        if (id === "handoff-reply") text.value = "";
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("#handoff-canned .canned"), function (button) {
    button.addEventListener("click", function () {
      text.value = button.dataset.text;
      text.focus();
    });
  });

  follow("/handoff/" + user + "/events", function (shown) {
    var mine = shown.state === "held" && shown.taken_by === me;
    document.getElementById("handoff-take").hidden = shown.state !== "waiting";
    document.getElementById("handoff-reply").hidden = !mine;
    document.getElementById("handoff-back").hidden = !mine;
    text.disabled = !shown.rule.open;
    document.getElementById("handoff-send").disabled = !shown.rule.open;
    document.getElementById("handoff-state").textContent = shown.taken_by
      ? T.handoff_taken_by + " " + shown.taken_by
      : shown.state === "waiting" ? T.handoff_waiting : T.handoff_ended;
    var rule = document.getElementById("handoff-rule");
    rule.textContent = T[shown.rule.note] + (shown.rule.count ? " " : "");
    if (shown.rule.count) {
      var count = el("b", "", shown.rule.count);
      count.id = "handoff-count";
      rule.appendChild(count);
    }
    var list = document.getElementById("handoff-messages");
    list.textContent = "";
    shown.messages.forEach(function (m) {
      var item = el("li", m.sender);
      item.dataset.id = m.id;
      if (m.sender === "staff") item.appendChild(el("b", "", m.author + ": "));
      item.appendChild(document.createTextNode(m.sender === "notice" ? T.handoff_notice_returned : m.text));
      if (m.sender === "staff") {
        var status = T["handoff_status_" + m.status] || m.status;
        item.appendChild(el("span", "muted", " (" + status + (m.why ? ": " + m.why : "") + ")"));
      }
      list.appendChild(item);
    });
  });
})();

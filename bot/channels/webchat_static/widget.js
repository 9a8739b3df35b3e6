/* The chat window of the Mont Blanc – Great Wall tourism assistant.
 *
 * An office's page loads it with one tag:
 *   <script src="https://chat.example.org/widget.js" defer></script>
 * It adds a chat button and window in a shadow root (the page's styles do not
 * reach it, its styles do not leak out) and talks to the server it came from.
 *
 * - The tourist's language: navigator.language, sent with every message; the
 *   assistant then decides (a tourist who writes French reads French).
 * - Everything shown is set with textContent: no HTML from answers or from
 *   tourists is ever interpreted. Web addresses in answers become links that
 *   open in a new tab (rel="noopener noreferrer").
 * - Kept in this browser (localStorage, key "mbgw-webchat"): the conversation
 *   token, whether the window was open and the last messages, so a reload keeps
 *   the conversation. Nothing else; no cookie.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__mbgwWebchat) return;
  window.__mbgwWebchat = true;
  var BASE = script.src.replace(/widget\.js([?#].*)?$/, "");
  var STORE = "mbgw-webchat";
  var KEPT = 60; // messages kept for a reload
  var POLL_MS = 2000; // how often an open page asks for what a person of the office wrote
  var LANGUAGE = navigator.language || "";
  var LINK = /https?:\/\/[^\s<>"'\u3000-\u303f\uff00-\uffef]+/g;

  var state = load();
  var labels = {};
  var maxLength = 1000;
  var ui = null;
  var queue = Promise.resolve();

  function load() {
    try {
      var kept = JSON.parse(localStorage.getItem(STORE) || "null");
      if (kept && typeof kept.conversation === "string" && Array.isArray(kept.messages)) {
        return kept;
      }
    } catch (e) {
      /* no storage (private mode) or a broken entry: start afresh */
    }
    return { conversation: "", open: false, messages: [] };
  }

  function save() {
    state.messages = state.messages.slice(-KEPT);
    try {
      localStorage.setItem(STORE, JSON.stringify(state));
    } catch (e) {
      /* storage full or refused: the conversation goes on, not kept */
    }
  }

  function api(name, body) {
    return fetch(BASE + "api/" + name, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      mode: "cors",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (value) {
          value.status = response.status;
          return value;
        });
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function build() {
    var host = element("div");
    host.id = "mbgw-webchat";
    var root = host.attachShadow({ mode: "open" });
    var style = element("link");
    style.rel = "stylesheet";
    style.href = BASE + "widget.css";
    root.appendChild(style);

    var launcher = element("button", "launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "mbgw-panel");

    var panel = element("section", "panel");
    panel.id = "mbgw-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "mbgw-title");

    var header = element("header");
    var title = element("h2");
    title.id = "mbgw-title";
    var close = element("button", "close");
    close.type = "button";
    var cross = element("span", "", "×");
    cross.setAttribute("aria-hidden", "true");
    close.appendChild(cross);
    header.appendChild(title);
    header.appendChild(close);

    var list = element("div", "messages");
    list.id = "mbgw-messages";
    list.setAttribute("role", "log");
    list.setAttribute("aria-live", "polite");
    list.setAttribute("aria-relevant", "additions");
    list.tabIndex = 0;

    var waiting = element("p", "waiting");
    waiting.hidden = true;

    var form = element("form", "compose");
    var label = element("label", "hidden-label");
    label.htmlFor = "mbgw-input";
    var input = element("textarea");
    input.id = "mbgw-input";
    input.rows = 2;
    input.maxLength = maxLength;
    input.setAttribute("autocomplete", "off");
    var send = element("button", "send");
    send.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);

    panel.appendChild(header);
    panel.appendChild(list);
    panel.appendChild(waiting);
    panel.appendChild(form);
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);

    ui = {
      root: root,
      launcher: launcher,
      panel: panel,
      title: title,
      close: close,
      list: list,
      waiting: waiting,
      label: label,
      input: input,
      send: send,
    };

    launcher.addEventListener("click", function () {
      setOpen(!state.open, true);
    });
    close.addEventListener("click", function () {
      setOpen(false, true);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") setOpen(false, true);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
  }

  function applyLabels(language) {
    ui.root.host.lang = language || "";
    ui.launcher.textContent = labels.webchat_open || "";
    ui.title.textContent = labels.webchat_title || "";
    ui.close.setAttribute("aria-label", labels.webchat_close || "");
    ui.list.setAttribute("aria-label", labels.webchat_messages || "");
    ui.label.textContent = labels.webchat_input || "";
    ui.input.placeholder = labels.webchat_input || "";
    ui.send.textContent = labels.webchat_send || "";
    ui.waiting.textContent = labels.webchat_waiting || "";
  }

  function setOpen(open, byHand) {
    state.open = open;
    save();
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      if (byHand) ui.input.focus();
      ui.list.scrollTop = ui.list.scrollHeight;
      if (!state.conversation) queue = queue.then(start);
    } else if (byHand) {
      ui.launcher.focus();
    }
  }

  function start() {
    // A new conversation, greeted in the tourist's language (with buttons).
    if (state.conversation) return Promise.resolve(); // opened twice while the first started
    return api("conversations", { language: LANGUAGE }).then(function (value) {
      if (value.status !== 201) return notice(value);
      state.conversation = value.conversation;
      state.messages = [];
      ui.list.textContent = "";
      labels = value.labels;
      maxLength = value.max_length || maxLength;
      ui.input.maxLength = maxLength;
      applyLabels(value.language);
      save();
      return ask("/greet", null);
    });
  }

  function submit() {
    var text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = "";
    say(text, text);
  }

  function say(payload, shown) {
    // One message after the other, as the tourist sent them.
    queue = queue
      .then(function () {
        if (!state.conversation) return start();
      })
      .then(function () {
        return ask(payload, shown);
      });
  }

  function ask(payload, shown) {
    if (shown !== null) add({ from: "me", text: shown }, true);
    setWaiting(true);
    var body = { conversation: state.conversation, text: payload, language: LANGUAGE };
    return api("messages", body)
      .then(function (value) {
        if (value.status === 400 && value.error === "unknown_conversation") {
          // A token this server does not know (its key changed): a new conversation.
          state.conversation = "";
          return start().then(function () {
            return ask(payload, shown);
          });
        }
        if (value.status !== 200) return notice(value);
        labels = value.labels || labels;
        applyLabels(value.language);
        value.replies.forEach(function (reply) {
          add({ from: "bot", text: reply.text, buttons: reply.buttons, image: reply.image }, true);
        });
      })
      .catch(function () {
        add({ from: "notice", text: labels.webchat_offline || "" }, false);
      })
      .then(function () {
        setWaiting(false);
      });
  }

  function notice(value) {
    var text = value.message || labels.sorry || "";
    if (text) add({ from: "notice", text: text }, false);
  }

  function setWaiting(on) {
    ui.waiting.hidden = !on;
    ui.list.setAttribute("aria-busy", on ? "true" : "false");
  }

  function add(message, kept) {
    if (kept) {
      state.messages.push(message);
      save();
    }
    ui.list.appendChild(render(message));
    ui.list.scrollTop = ui.list.scrollHeight;
  }

  function render(message) {
    var item = element("div", "message " + message.from);
    if (message.from !== "notice") {
      var who = message.from === "me" ? labels.webchat_you : labels.webchat_assistant;
      item.appendChild(element("span", "hidden-label", (who || "") + ": "));
    }
    if (message.text) item.appendChild(withLinks(message.text));
    if (message.image && /^https?:\/\//.test(message.image)) {
      item.appendChild(withLinks(message.image));
    }
    var buttons = Array.isArray(message.buttons) ? message.buttons : [];
    if (buttons.length) {
      var row = element("div", "buttons");
      buttons.forEach(function (button) {
        var press = element("button", "choice", String(button.title || ""));
        press.type = "button";
        press.addEventListener("click", function () {
          say(String(button.payload || ""), String(button.title || ""));
          ui.input.focus();
        });
        row.appendChild(press);
      });
      item.appendChild(row);
    }
    return item;
  }

  function withLinks(text) {
    // The text as text; each http(s) address in it a link to a new tab.
    var paragraph = element("p", "text");
    var at = 0;
    String(text).replace(LINK, function (found, offset) {
      var address = found.replace(/[.,;:!?)\]]+$/, "");
      paragraph.appendChild(document.createTextNode(text.slice(at, offset)));
      var link = element("a", "", address);
      link.href = address;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(element("span", "hidden-label", " " + (labels.webchat_new_tab || "")));
      paragraph.appendChild(link);
      at = offset + address.length;
      return found;
    });
    paragraph.appendChild(document.createTextNode(text.slice(at)));
    return paragraph;
  }

  function poll() {
    // Messages from a person of the tourism office (hand-off), once each.
    var asked = state.conversation
      ? api("updates", { conversation: state.conversation }).then(function (value) {
          (value.messages || []).forEach(function (message) {
            add({ from: "bot", text: message.text }, true);
          });
        })
      : Promise.resolve();
    asked
      .catch(function () {
        /* offline for a moment: asked again */
      })
      .then(function () {
        setTimeout(poll, POLL_MS);
      });
  }

  function begin() {
    api("labels", { language: LANGUAGE, conversation: state.conversation })
      .then(function (value) {
        if (value.status !== 200) {
          console.error("Mont Blanc – Great Wall chat: this page may not use the chat (" + value.error + ").");
          return;
        }
        labels = value.labels;
        build();
        applyLabels(value.language);
        state.messages.forEach(function (message) {
          ui.list.appendChild(render(message));
        });
        setOpen(state.open, false);
        poll();
      })
      .catch(function () {
        console.error("Mont Blanc – Great Wall chat: the chat server cannot be reached from this page.");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", begin);
  } else {
    begin();
  }
})();

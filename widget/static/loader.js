/*! Live chat loader: asks the chat server whether this visitor may chat, draws the chat bubble,
 * and loads the real widget (WebAssembly) on the first click or when the browser is idle.
 * <script src="https://chat.example/widget/loader.js" async></script>; settings (data-* or
 * window.LiveChatSettings) and the window.LiveChat API: see the chat server's README. */
// Settings, as data-<name> on the script tag or members of window.LiveChatSettings set before
// it (the tag wins): server (the API's origin, default the script's), position (left|right),
// accent (a CSS colour), greeting, locale, sound (off), launcher (hidden: no bubble, the page
// opens the chat with LiveChat.open()); data-identity="<signed statement>" on a portal page for
// its logged-in contact (the contact build). Buttons with data-livechat-ticket="T-1001" open
// the chat about that ticket.
// window.LiveChat: open([{ ticket }]), close(), toggle(), unread(), setLocale(code),
// on('ready'|'open'|'close'|'message'|'unread', fn), identify(statement), reset(). Calls a page
// queued before this script ran (window.LiveChat = { q: [[name, args], …] }) run in order.
// (Plain comments: terser drops them; only the short /*! header ships.)
(function () {
  'use strict';
  var me = document.currentScript; // only valid synchronously, so read it first
  if (!me || window.__livechatLoaded) return;
  window.__livechatLoaded = true;
  var src = new URL(me.src, location.href);
  // A setting: the tag's data-<name>, else window.LiveChatSettings' own member <name>.
  var settings = window.LiveChatSettings;
  function opt(name) {
    var v = me.getAttribute('data-' + name);
    return v != null ? v : settings && Object.prototype.hasOwnProperty.call(settings, name) ? settings[name] : null;
  }
  var server = (opt('server') || src.origin).replace(/\/+$/, '');
  var left = opt('position') == 'left';
  // Only a colour the browser takes, so nothing else can ride into the host's style.
  var accent = opt('accent');
  if (accent && !CSS.supports('color', accent)) {
    console.warn('[livechat] accent is not a CSS colour: ' + accent);
    accent = null;
  }
  var greeting = opt('greeting');
  // The site's language, else the visitor's (the widget fetches that catalogue, if any).
  var locale = opt('locale') || navigator.language;
  var theme = opt('theme');
  var sound = !/^(off|false)$/.test(opt('sound'));
  var launcher = !/^(hidden|off|false)$/.test(opt('launcher'));
  var base = src.href.slice(0, src.href.lastIndexOf('/') + 1);
  var identity = me.getAttribute('data-identity');
  var key = 'livechat:' + server + ':';
  var avail = null; // GET/POST /api/availability, once asked
  var root = null; // the shadow root everything lives in
  var loading = null; // the widget module being loaded or mounted (one at a time)
  var mounted = null; // the mounted widget module
  var loads = 0; // bumped by every load and unload, so a late load of a replaced build stops
  var wantOpen = false;
  var shown = [0, 0]; // the window as the widget last told: open (1/0), unread messages
  var ons = []; // the page's [event, handler] pairs (an array: nothing inherited can match)

  // Tell the page's handlers; one that throws does not stop the others or this script.
  function emit(event, value) {
    for (var i = 0; i < ons.length; i++) {
      if (ons[i][0] == event) {
        try { ons[i][1](value); } catch (e) { console.error(e); }
      }
    }
  }

  // Forget the contact in this browser and end that chat session on the server.
  function forget() {
    try {
      var held = JSON.parse(localStorage.getItem(key + 'session') || 'null');
      ['session', 'contact', 'outbox'].forEach(function (k) { localStorage.removeItem(key + k); });
      if (held && held.token) {
        fetch(server + '/api/visitor/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + held.token } })
          .catch(function () {});
      }
    } catch (e) { /* storage blocked: nothing is kept either */ }
  }
  // A page without an identity after one with it: the contact signed out of the portal.
  try {
    if (!identity && localStorage.getItem(key + 'contact')) forget();
  } catch (e) { /* as above */ }

  // Whether this visitor may chat, office hours and the unanswered wait. No answer (server
  // down): draw the bubble anyway; the widget says it is offline and keeps what is written.
  function ask() {
    var init = identity
      ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ identity: identity }) }
      : {};
    return fetch(server + '/api/availability', init)
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (a) {
        avail = a || { open: true, chat_enabled: true, unanswered_after_secs: 60 };
        return avail;
      });
  }

  // The placeholder bubble, same look as the Leptos launcher (style/widget.css) so the swap is
  // invisible.
  // Its stylesheet is a constructed one (a <style> element would need 'unsafe-inline' in the
  // page's CSP); the widget replaces it with its own when it mounts.
  var side = left ? 'left' : 'right';
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(
    '.b{position:fixed;' + side + ':20px;bottom:20px;width:60px;height:60px;border-radius:50%;' +
    'border:0;padding:0;display:grid;place-items:center;color:#fff;background:var(--lc-a,#2454d6);cursor:pointer;' +
    'box-shadow:0 6px 20px rgba(20,40,100,.28),0 2px 6px rgba(0,0,0,.12)}' +
    '.b:hover{background:color-mix(in srgb,var(--lc-a,#2454d6) 78%,#000)}.b:focus-visible{outline:3px solid #1b1f27;outline-offset:2px}' +
    '@media(max-width:480px){.b{' + side + ':12px;bottom:12px}}');
  function placeholder() {
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = !launcher ? '' :
      '<button class="b" type="button" aria-label="Open chat">' +
      '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
      '<path fill="currentColor" d="M12 3C6.5 3 2 6.9 2 11.7c0 2.4 1.1 4.6 3 6.2L4.2 21.4c-.1.4.3.7.7.5l4-2c1 .3 2 .4 3.1.4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z"/>' +
      '</svg></button>';
    if (launcher) root.querySelector('button').addEventListener('click', function () {
      load(true).catch(function () {});
    });
  }

  function draw() {
    if (!avail.chat_enabled) {
      console.info('[livechat] chat is switched off for this visitor: no chat bubble');
      if (root) root.host.remove();
      root = null;
      return false;
    }
    if (root) return true;
    var host = document.createElement('div');
    host.id = 'livechat-root';
    // No page rule reaches the host, not even an !important one aimed at it (an inline
    // !important declaration beats every stylesheet's): reset, on top, the accent for the
    // widget's CSS. Set through the CSSOM, which a CSP without 'unsafe-inline' allows.
    host.style.cssText = 'all:initial!important;position:fixed!important;' + side + ':0!important;bottom:0!important;' +
      'width:0!important;height:0!important;z-index:2147483647!important;--lc-a:' + (accent || '#2454d6') + '!important';
    if (left) host.setAttribute('data-left', '');
    if (!launcher) host.setAttribute('data-nolauncher', '');
    if (/^(dark|light)$/.test(theme)) host.setAttribute('data-theme', theme);
    root = host.attachShadow({ mode: 'open' });
    root.addEventListener('pointerdown', unlock);
    root.addEventListener('keydown', unlock);
    placeholder();
    document.body.appendChild(host);
    return true;
  }

  // Whether this visitor may chat, once the bubble is drawn (the page's body exists).
  var booted = new Promise(function (resolve) {
    function start() {
      ask().then(function () { resolve(draw()); });
    }
    if (document.body) start();
    else document.addEventListener('DOMContentLoaded', start);
  });

  // Load and mount the build this page needs, once the bubble is there (the page may call
  // LiveChat.open() before that); resolves to the mounted module.
  function load(open) {
    wantOpen = wantOpen || open;
    if (loading) return loading;
    var gen = ++loads;
    var contact;
    loading = booted.then(function () {
      if (!root) throw Error('chat is off for this visitor');
      contact = identity;
      return import(base + (contact ? 'contact/widget.js' : 'pkg/widget.js'));
    })
      .then(function (m) {
        return m.default().then(function () {
          if (gen !== loads) return m; // replaced meanwhile (identify, reset)
          if (contact) m.mount_contact(root, server, wantOpen, contact, !!avail.pre_ticket);
          else m.mount(root, server, wantOpen);
          mounted = m;
          // Exports of a newer widget; an older one simply lacks them.
          if (greeting && m.set_greeting) m.set_greeting(greeting);
          if (m.set_locale) m.set_locale(locale);
          emit('ready');
          return m;
        });
      })
      .catch(function (e) {
        loading = null;
        console.error('[livechat] could not load the chat widget', e);
        throw e;
      });
    return loading;
  }

  // Take the widget down (its socket closes) so another build can take its place.
  function unload() {
    hideHelp();
    showChoices('');
    loads++;
    if (mounted) mounted.unmount();
    mounted = null;
    loading = null;
    wantOpen = false;
    if (root) placeholder();
  }

  // The on-demand panels (livechat-panels), fetched the first time one is needed.
  var panels = null;
  function chunk() {
    return (panels || (panels = import(base + 'panels/panels.js').then(function (m) {
      return m.default().then(function () { return m; });
    }).catch(function (e) {
      panels = null;
      console.error('[livechat] could not load the chat panels', e);
      throw e;
    }))).then(function (m) {
      // In the widget's language, which it fetched.
      if (mounted && mounted.words && m.set_words) m.set_words(mounted.words());
      return m;
    });
  }
  function token() {
    var session = JSON.parse(localStorage.getItem(key + 'session') || 'null');
    return session && session.token;
  }

  // "When nobody answers", in the widget's #lc-help slot.
  var help = { timer: 0, gen: 0, shown: false, last: '' };
  function hideHelp() {
    clearTimeout(help.timer);
    help.gen++;
    help.last = '';
    if (help.shown) panels.then(function (m) { m.unmount_help(); });
    help.shown = false;
  }
  function showHelp(id, createdAt) {
    var now = id + ':' + createdAt;
    if (now === help.last) return; // told again after every frame; only a change matters
    hideHelp();
    help.last = now;
    // Inside office hours the panel waits until the request has waited too long; before any
    // request there is nothing to offer then.
    if (id < 0 || !avail || (avail.open && !id)) return;
    var gen = help.gen;
    var due = avail.open ? createdAt + avail.unanswered_after_secs * 1000 - Date.now() : 0;
    help.timer = setTimeout(function () {
      chunk().then(function (m) {
        var slot = root && root.getElementById('lc-help');
        var t = token();
        if (gen !== help.gen || !slot || !t) return;
        var ticket = mounted && mounted.help_ticket ? mounted.help_ticket() : '';
        m.mount_help(slot, server, t, id, !avail.open, avail.next_open || 0, !!identity, ticket);
        help.shown = true;
      }).catch(function () {});
    }, Math.max(0, due));
  }

  // The new-message chime, made with Web Audio (no audio file). Browsers allow audio only
  // after a gesture, so the context is made or resumed on the visitor's first one.
  var audio = null;
  function unlock() {
    try {
      if (!audio) audio = new AudioContext();
      else audio.resume();
    } catch (e) { /* no Web Audio: silent */ }
  }
  function chime() {
    if (!audio) return;
    var t = audio.currentTime, osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.setValueAtTime(880, t);
    osc.frequency.exponentialRampToValueAtTime(660, t + 0.15);
    // Ramps, not steps, so the blip has no click at either end.
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.08, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.15);
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start();
    osc.stop(t + 0.16);
  }

  // A contact's past chats, over the chat in the widget's #lc-history slot.
  function showHistory(me) {
    chunk().then(function (m) {
      var slot = root && root.getElementById('lc-history');
      var t = token();
      if (slot && t) m.mount_history(slot, server, t, me);
    }).catch(function () {});
  }

  // What the visitor picks with one click, in the same slot (never beside the help panel): an
  // agent's offered choices, or before the first message which section should answer.
  var picked = '';
  function showChoices(now, mount) {
    if (now === picked) return;
    picked = now;
    if (panels) panels.then(function (m) { m.unmount_choices(); }).catch(function () {});
    if (mount) {
      chunk().then(function (m) {
        var slot = root && root.getElementById('lc-help');
        var t = token();
        if (picked === now && slot && t) mount(m, slot, t);
      }).catch(function () {});
    }
  }

  // The widget's one hook into this script: 0 = a message from someone else (a: 1 to chime;
  // b: unread); 4 = the window (a: open 1/0, b: unread), told after every change; 1 = the chat waits for an agent (a: the
  // request's id, 0 before there is one, -1 not waiting; b: when it started): the help panel,
  // or the sections to pick; 2 = show a contact's past chats (a: their visitor id); 3 = the
  // last line offers choices (a: the conversation, b: that message's seq).
  window.__livechatHook = function (kind, a, b) {
    if (kind === 0) {
      if (a && sound) chime();
      emit('message', { unread: b });
    } else if (kind === 4) {
      var was = shown;
      shown = [a, b];
      if (a != was[0]) emit(a ? 'open' : 'close');
      if (b != was[1]) emit('unread', b);
    } else if (kind === 2) showHistory(a);
    else if (kind === 3) {
      showHelp(-1, 0);
      showChoices(a + ':' + b, function (m, slot, t) { m.mount_offer(slot, server, t, a, b); });
    } else {
      var pick = !a && avail && avail.open && avail.sections && avail.sections.length > 1;
      showHelp(a, b);
      showChoices(pick ? 'sections' : '', pick && function (m, slot, t) {
        m.mount_sections(slot, server, t, JSON.stringify(avail.sections));
      });
    }
  };

  var queued = window.LiveChat;
  var api = window.LiveChat = {
    // Open the chat window (loading the widget first if need be); with a ticket (a portal's
    // contact), about that ticket: an open chat is linked to it, else the next one starts
    // with it.
    open: function (options) {
      var ticket = options && options.ticket;
      return load(true).then(function (m) {
        if (ticket && m.chat_about) return m.chat_about(String(ticket));
        m.set_open(true);
      });
    },
    // Minimise it (before it loaded: it will not open on its own).
    close: function () {
      wantOpen = false;
      if (mounted) mounted.set_open(false);
      return Promise.resolve();
    },
    toggle: function () {
      return shown[0] ? api.close() : api.open();
    },
    // Unread messages from the agents, as the launcher's badge shows them.
    unread: function () {
      return shown[1];
    },
    // 'ready' (the widget is mounted; at once if it already is), 'open', 'close',
    // 'message' ({ unread }), 'unread' (the count).
    on: function (event, fn) {
      ons.push([event, fn]);
      if (event == 'ready' && mounted) fn();
    },
    // The widget's language; remembered for a widget that mounts later.
    setLocale: function (code) {
      locale = code;
      if (mounted && mounted.set_locale) mounted.set_locale(code);
    },
    // Identify the portal's logged-in contact (a signed statement from its backend), before
    // or after the widget loaded: the contact build takes over, keeping an open chat.
    identify: function (statement) {
      if (!statement || statement === identity) return Promise.resolve();
      var wasLoaded = !!mounted;
      unload();
      identity = statement;
      return ask().then(function () {
        if (draw() && wasLoaded) return load(false);
      });
    },
    // The portal's logout: forget the contact in this browser and close its chat session.
    reset: function () {
      var wasLoaded = !!mounted;
      unload();
      forget();
      identity = null;
      return ask().then(function () {
        if (draw() && wasLoaded) return load(false);
      });
    }
  };

  // Calls the page queued before this script ran (the README's snippet), in order.
  if (queued && queued.q) {
    for (var i = 0; i < queued.q.length; i++) {
      try { api[queued.q[i][0]].apply(api, queued.q[i][1]); } catch (e) { console.error(e); }
    }
  }

  // For pages that call the API as soon as it exists.
  document.dispatchEvent(new Event('livechat:ready'));

  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-livechat-ticket]');
    if (button) window.LiveChat.open({ ticket: button.getAttribute('data-livechat-ticket') });
  });

  booted.then(function (may) {
    if (!may) return;
    if ('requestIdleCallback' in window) {
      requestIdleCallback(function () { load(false).catch(function () {}); }, { timeout: 4000 });
    } else {
      setTimeout(function () { load(false).catch(function () {}); }, 2000);
    }
  });
})();

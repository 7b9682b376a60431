/*! Live chat loader: draws the chat bubble at once and loads the real widget (WebAssembly)
 * on the first click or when the browser is idle. Include with
 * <script src="https://chat.example/widget/loader.js" async></script>
 * (optional data-server="https://chat.example" when the API lives elsewhere; a portal adds
 * data-identity="<signed statement>" for its logged-in contact, which loads the contact build). */
(function () {
  'use strict';
  var me = document.currentScript; // only valid synchronously, so read it first
  if (!me || window.__livechatLoaded) return;
  window.__livechatLoaded = true;
  var src = new URL(me.src, location.href);
  var server = (me.getAttribute('data-server') || src.origin).replace(/\/+$/, '');
  var base = src.href.slice(0, src.href.lastIndexOf('/') + 1);
  var identity = me.getAttribute('data-identity');
  // A page without an identity after one with it (the contact signed out of the portal):
  // forget the contact in this browser, and end that chat session on the server.
  var key = 'livechat:' + server + ':';
  try {
    if (!identity && localStorage.getItem(key + 'contact')) {
      var held = JSON.parse(localStorage.getItem(key + 'session') || 'null');
      ['session', 'contact', 'outbox'].forEach(function (k) { localStorage.removeItem(key + k); });
      if (held && held.token) {
        fetch(server + '/api/visitor/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + held.token } })
          .catch(function () {});
      }
    }
  } catch (e) { /* storage blocked: nothing is kept either */ }

  function start() {
    var host = document.createElement('div');
    host.id = 'livechat-root';
    // Page styles must not reach the host either: reset it and keep it on top.
    host.setAttribute('style', 'all:initial;position:fixed;right:0;bottom:0;width:0;height:0;z-index:2147483647');
    var root = host.attachShadow({ mode: 'open' });
    // Same look as the Leptos launcher (style/widget.css) so the swap is invisible.
    root.innerHTML =
      '<style>.b{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;' +
      'border:0;padding:0;display:grid;place-items:center;color:#fff;background:#2454d6;cursor:pointer;' +
      'box-shadow:0 6px 20px rgba(20,40,100,.28),0 2px 6px rgba(0,0,0,.12)}' +
      '.b:hover{background:#1a3fa6}.b:focus-visible{outline:3px solid #1b1f27;outline-offset:2px}' +
      '@media(max-width:480px){.b{right:12px;bottom:12px}}</style>' +
      '<button class="b" type="button" aria-label="Open chat">' +
      '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
      '<path fill="currentColor" d="M12 3C6.5 3 2 6.9 2 11.7c0 2.4 1.1 4.6 3 6.2L4.2 21.4c-.1.4.3.7.7.5l4-2c1 .3 2 .4 3.1.4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z"/>' +
      '</svg></button>';
    document.body.appendChild(host);

    var loading = null; // one load at a time; reset on failure so a click can retry
    var wantOpen = false;
    function load(open) {
      wantOpen = wantOpen || open;
      if (loading) return loading;
      loading = import(base + (identity ? 'contact/widget.js' : 'pkg/widget.js'))
        .then(function (m) {
          return m.default().then(function () {
            if (identity) m.mount_contact(root, server, wantOpen, identity);
            else m.mount(root, server, wantOpen);
          });
        })
        .catch(function (e) {
          loading = null;
          console.error('[livechat] could not load the chat widget', e);
        });
      return loading;
    }
    root.querySelector('button').addEventListener('click', function () {
      load(true);
    });
    if ('requestIdleCallback' in window) {
      requestIdleCallback(function () { load(false); }, { timeout: 4000 });
    } else {
      setTimeout(function () { load(false); }, 2000);
    }
  }

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();

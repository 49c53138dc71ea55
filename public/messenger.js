/* Switchboard messenger loader: <script src="{BASE}/messenger.js" data-deployment-id="{ID}" async>.
   Draws the launcher, opens the messenger frame, and gives the page window.Switchboard (typed in
   {BASE}/messenger/switchboard.d.ts): open(), close(), signOut(), on()/off() for events, getNonce()
   and registerAuthProvider() for a site that signs its visitors in itself. Calls made before this
   script ran wait in Switchboard.q (window.Switchboard = {q: [['open']]}); calls made before the
   messenger is drawn wait for it. Styles only its own elements (in a shadow root), does nothing
   twice for one deployment, and keeps the frame's session in this page's storage: browsers deny
   storage to third-party frames, so the frame hands its session over by postMessage. */
(function (w, d) {
  var ns = (w.Switchboard = w.Switchboard || {});
  ns.deployments = ns.deployments || {};
  var script = d.currentScript || d.querySelector('script[data-deployment-id]');
  if (!script) return;
  var id = script.getAttribute('data-deployment-id') || '';
  if (ns.deployments[id]) return;
  var base = new URL(script.src).origin;
  var handlers = {};
  var provider = null;
  var frame = null;
  var frameReady = false;
  var toFrame = [];
  var drawn = null;
  var whenDrawn = new Promise(function (done) { drawn = done; });
  var key = 'switchboard.session.' + id;

  function warn(reason) {
    console.warn('Switchboard messenger ' + id + ' is not shown: ' + reason);
  }

  function emit(name, detail) {
    (handlers[name] || []).slice().forEach(function (handler) {
      try { handler(detail); } catch (e) { console.error(e); }
    });
  }

  function post(message) {
    if (frameReady) frame.contentWindow.postMessage(message, base);
    else toFrame.push(message);
  }

  // Asks the page's own sign-in for a code and hands it to the frame, which exchanges it.
  // `interactive`: the visitor pressed "Sign in" (the page may start its login); otherwise the
  // messenger only asks whether the page has a code already.
  function authenticate(interactive) {
    if (!provider) return;
    Promise.resolve().then(function () {
      return provider.getAuthCode({ interactive: !!interactive });
    }).then(function (result) {
      if (!result || !result.code) return;
      post({ type: 'switchboard:auth-code', oauth: {
        code: result.code, redirectUri: result.redirectUri, codeVerifier: result.codeVerifier,
        nonce: result.nonce, iss: result.iss
      } });
    }, function (error) {
      emit('error', { reason: 'auth_code_failed', message: String(error && error.message || error) });
    });
  }

  var api = {
    deploymentId: id,
    on: function (name, handler) { (handlers[name] = handlers[name] || []).push(handler); return api; },
    off: function (name, handler) {
      handlers[name] = (handlers[name] || []).filter(function (h) { return h !== handler; });
      return api;
    },
    open: function () { whenDrawn.then(function (ui) { ui.show(true); }); },
    close: function () { whenDrawn.then(function (ui) { ui.show(false); }); },
    signOut: function () { whenDrawn.then(function (ui) { ui.frame(); post({ type: 'switchboard:sign-out' }); }); },
    // A nonce the server issued for this deployment, for the page's authorization request.
    getNonce: function () {
      return fetch(base + '/messenger/v1/token/nonce', {
        method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ deploymentId: id })
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || 'nonce_refused');
          return body.nonce;
        });
      });
    },
    // The page signs its visitors in: "Sign in" asks it for a code instead of opening a popup.
    registerAuthProvider: function (given) {
      if (!given || typeof given.getAuthCode !== 'function') {
        throw new TypeError('registerAuthProvider needs { getAuthCode() }');
      }
      provider = given;
      whenDrawn.then(function (ui) { ui.frame(); post({ type: 'switchboard:page-auth' }); });
    }
  };
  ns.deployments[id] = api;
  ns.deployment = function (wanted) { return ns.deployments[wanted]; };
  // The first messenger on the page answers window.Switchboard's own calls.
  ['on', 'off', 'open', 'close', 'signOut', 'getNonce', 'registerAuthProvider'].forEach(function (name) {
    if (!ns[name]) ns[name] = function () { return api[name].apply(api, arguments); };
  });
  var queued = Array.isArray(ns.q) ? ns.q : [];
  ns.q = { push: function (call) { api[call[0]].apply(api, call.slice(1)); } };
  queued.forEach(ns.q.push);

  // Black or white, whichever reads better on the configured colour.
  function ink(hex) {
    var n = parseInt(hex.slice(1), 16);
    var l = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
    return l > 150 ? '#111' : '#fff';
  }

  function draw(config) {
    var look = config.appearance;
    var host = d.createElement('div');
    host.setAttribute('data-switchboard-deployment', id);
    var root = host.attachShadow({ mode: 'open' });
    var button = d.createElement('button');
    button.type = 'button';
    button.textContent = look.launcherLabel;
    button.setAttribute('aria-expanded', 'false');
    Object.assign(button.style, {
      position: 'fixed', right: '20px', bottom: '20px', zIndex: 2147483000,
      background: look.primaryColor, color: ink(look.primaryColor), border: '0',
      borderRadius: '24px', padding: '12px 20px', font: '600 15px/1.2 system-ui, sans-serif',
      cursor: 'pointer', boxShadow: '0 4px 14px rgba(0,0,0,.25)'
    });
    function ensureFrame() {
      if (frame) return;
      frame = d.createElement('iframe');
      frame.title = look.launcherLabel;
      frame.src = base + '/messenger/frame?deployment=' + encodeURIComponent(id) +
        '&origin=' + encodeURIComponent(location.origin);
      Object.assign(frame.style, {
        position: 'fixed', right: '20px', bottom: '80px', zIndex: 2147483000,
        width: 'min(380px, calc(100vw - 40px))', height: 'min(560px, calc(100vh - 120px))',
        border: '0', borderRadius: '12px', background: '#fff',
        boxShadow: '0 8px 30px rgba(0,0,0,.3)', display: 'none'
      });
      root.appendChild(frame);
    }
    function show(open) {
      ensureFrame();
      var was = frame.style.display !== 'none';
      frame.style.display = open ? 'block' : 'none';
      button.setAttribute('aria-expanded', String(open));
      if (was !== open) emit(open ? 'opened' : 'closed');
    }
    button.addEventListener('click', function () {
      show(!frame || frame.style.display === 'none');
    });
    w.addEventListener('message', function (event) {
      if (event.origin !== base || !frame || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type === 'switchboard:ready') {
        var session = null;
        try { session = JSON.parse(localStorage.getItem(key)); } catch (e) { /* no storage */ }
        frame.contentWindow.postMessage(
          { type: 'switchboard:session', session: session, pageAuth: !!provider }, base);
        frameReady = true;
        toFrame.splice(0).forEach(post);
      } else if (data.type === 'switchboard:store') {
        try {
          if (data.session) localStorage.setItem(key, JSON.stringify(data.session));
          else localStorage.removeItem(key);
        } catch (e) { /* no storage here: the session lasts as long as the frame */ }
      } else if (data.type === 'switchboard:close') {
        show(false);
        button.focus();
      } else if (data.type === 'switchboard:need-auth') {
        authenticate(data.interactive);
      } else if (data.type === 'switchboard:reauthenticate') {
        if (provider && typeof provider.reAuthenticate === 'function') provider.reAuthenticate();
      } else if (data.type === 'switchboard:event') {
        emit(data.name, data.detail);
      }
    });
    root.appendChild(button);
    (d.body || d.documentElement).appendChild(host);
    drawn({ show: show, frame: ensureFrame });
    emit('ready', { deploymentId: id });
  }

  fetch(base + '/messenger/v1/deployments/' + encodeURIComponent(id) + '/config', {
    credentials: 'omit'
  }).then(function (response) {
    if (!response.ok) throw new Error('the deployment is unknown or inactive');
    return response.json();
  }).then(draw, function (error) {
    var reason = error instanceof TypeError ? 'this site is not one of its allowed domains (or the server is unreachable)' : error.message;
    warn(reason);
    emit('error', { reason: 'unavailable', message: reason });
  });
})(window, document);

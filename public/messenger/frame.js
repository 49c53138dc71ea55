// The messenger frame: greeting, sign-in through the provider in a popup, the signed-in
// visitor's name, sign-out. Browsers deny storage to third-party frames, so the host page's
// loader keeps the session; the frame talks to it only through postMessage, to the origin the
// server checked.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('switchboard-config').textContent);
  var el = function (id) { return document.getElementById(id); };
  var signIn = el('sign-in');
  var signOut = el('sign-out');
  var who = el('who');
  var notice = el('notice');
  var providerSignOut = el('provider-sign-out');
  var refreshTimer = null;
  var popup = null;

  // The bar's text is black or white, whichever reads better on the configured colour.
  var rgb = parseInt(config.primaryColor.slice(1), 16);
  var light = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255) > 150;
  document.documentElement.style.setProperty('--primary', config.primaryColor);
  document.documentElement.style.setProperty('--on-primary', light ? '#111' : '#fff');

  var host = window.parent !== window ? window.parent : null;
  var store = {
    session: null,
    get: function () { return store.session; },
    set: function (session) {
      store.session = session;
      if (host) host.postMessage({ type: 'switchboard:store', session: session }, config.hostOrigin);
    }
  };

  function call(method, path, token) {
    return fetch(path, {
      method: method,
      headers: token ? { Authorization: 'Bearer ' + token } : {},
      credentials: 'omit'
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  function render(session, message) {
    var identity = session && session.identity;
    who.hidden = !identity;
    if (identity) el('name').textContent = identity.name || identity.email || identity.subject;
    signIn.hidden = !config.authentication || !!identity;
    signOut.hidden = !identity;
    notice.textContent = message || '';
    if (message) signIn.textContent = 'Sign in again';
    else signIn.textContent = 'Sign in';
  }

  function schedule(session) {
    clearTimeout(refreshTimer);
    if (!session) return;
    var wait = new Date(session.expiresAt).getTime() - Date.now() - 60000;
    refreshTimer = setTimeout(refresh, Math.max(wait, 5000));
  }

  function refresh() {
    var session = store.get();
    if (!session) return;
    call('POST', '/messenger/v1/token/refresh', session.token).then(function (result) {
      if (result.ok) {
        store.set(result.body);
        render(result.body);
        schedule(result.body);
      } else {
        ended();
      }
    });
  }

  function ended() {
    store.set(null);
    clearTimeout(refreshTimer);
    render(null, 'Your session has ended.');
  }

  function signedIn(session) {
    store.set(session);
    providerSignOut.hidden = true;
    render(session);
    schedule(session);
  }

  signIn.addEventListener('click', function () {
    notice.textContent = '';
    popup = window.open(config.signInUrl, 'switchboard-sign-in', 'popup,width=520,height=680');
    if (!popup) notice.textContent = 'Allow pop-ups for this site to sign in.';
  });

  signOut.addEventListener('click', function () {
    var session = store.get();
    store.set(null);
    clearTimeout(refreshTimer);
    render(null);
    if (!session) return;
    call('DELETE', '/messenger/v1/token', session.token).then(function (result) {
      if (result.ok && result.body.endSessionUrl) {
        providerSignOut.href = result.body.endSessionUrl;
        providerSignOut.hidden = false;
      }
    });
  });

  el('close').addEventListener('click', function () {
    window.parent.postMessage({ type: 'switchboard:close' }, config.hostOrigin);
  });

  window.addEventListener('message', function (event) {
    // The host page hands back the session it kept for us.
    if (host && event.source === host && event.origin === config.hostOrigin) {
      if (event.data && event.data.type === 'switchboard:session' && event.data.session) {
        restore(event.data.session);
      }
      return;
    }
    // Only the popup of our own origin may hand over a new session.
    if (event.origin !== location.origin || !popup || event.source !== popup) return;
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (data.type === 'switchboard:signed-in' && data.deploymentId === config.deploymentId) {
      signedIn(data.session);
    } else if (data.type === 'switchboard:sign-in-failed') {
      render(store.get(), 'Sign-in failed (' + data.reason + ').');
    }
  });

  // A kept session is checked with the server before it is shown.
  function restore(saved) {
    call('GET', '/messenger/v1/session', saved.token).then(function (result) {
      if (result.ok) {
        saved.identity = result.body.identity;
        saved.expiresAt = result.body.expiresAt;
        signedIn(saved);
      } else {
        ended();
      }
    });
  }

  render(null);
  if (host) host.postMessage({ type: 'switchboard:ready' }, config.hostOrigin);
})();

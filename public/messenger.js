/* Switchboard messenger loader: <script src="{BASE}/messenger.js" data-deployment-id="{ID}" async>.
   Draws the launcher and opens the messenger frame. Defines only window.Switchboard, styles
   only its own elements (inside a shadow root), and does nothing twice for one deployment.
   It keeps the frame's session in this page's storage: browsers deny storage to third-party
   frames, so the frame hands its session over by postMessage. */
(function (w, d) {
  var ns = (w.Switchboard = w.Switchboard || { deployments: {} });
  var script = d.currentScript || d.querySelector('script[data-deployment-id]');
  if (!script) return;
  var id = script.getAttribute('data-deployment-id') || '';
  if (ns.deployments[id]) return;
  ns.deployments[id] = true;
  var base = new URL(script.src).origin;

  function warn(reason) {
    console.warn('Switchboard messenger ' + id + ' is not shown: ' + reason);
  }

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
    var frame = null;
    function show(open) {
      frame.style.display = open ? 'block' : 'none';
      button.setAttribute('aria-expanded', String(open));
    }
    button.addEventListener('click', function () {
      if (!frame) {
        frame = d.createElement('iframe');
        frame.title = look.launcherLabel;
        frame.src = base + '/messenger/frame?deployment=' + encodeURIComponent(id) +
          '&origin=' + encodeURIComponent(location.origin);
        Object.assign(frame.style, {
          position: 'fixed', right: '20px', bottom: '80px', zIndex: 2147483000,
          width: 'min(380px, calc(100vw - 40px))', height: 'min(560px, calc(100vh - 120px))',
          border: '0', borderRadius: '12px', background: '#fff',
          boxShadow: '0 8px 30px rgba(0,0,0,.3)'
        });
        root.appendChild(frame);
        show(true);
      } else {
        show(frame.style.display === 'none');
      }
    });
    var key = 'switchboard.session.' + id;
    w.addEventListener('message', function (event) {
      if (event.origin !== base || !frame || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      try {
        if (data.type === 'switchboard:ready') {
          frame.contentWindow.postMessage(
            { type: 'switchboard:session', session: JSON.parse(localStorage.getItem(key)) }, base);
        } else if (data.type === 'switchboard:store') {
          if (data.session) localStorage.setItem(key, JSON.stringify(data.session));
          else localStorage.removeItem(key);
        }
      } catch (e) { /* no storage here: the session lasts as long as the frame */ }
      if (data.type === 'switchboard:close') {
        show(false);
        button.focus();
      }
    });
    root.appendChild(button);
    (d.body || d.documentElement).appendChild(host);
  }

  fetch(base + '/messenger/v1/deployments/' + encodeURIComponent(id) + '/config', {
    credentials: 'omit'
  }).then(function (response) {
    if (!response.ok) throw new Error('the deployment is unknown or inactive');
    return response.json();
  }).then(draw, function (error) {
    warn(error instanceof TypeError ? 'this site is not one of its allowed domains (or the server is unreachable)' : error.message);
  });
})(window, document);

// The messenger frame: greeting, sign-in through the provider in a popup, the signed-in
// visitor's name, sign-out, and the conversation (messages arrive as server-sent events, read
// with fetch so the session travels in a header, and resumed after the last id seen; older
// pages load when the visitor scrolls to the top; "Agent is typing…" and "Seen" come as events
// too). Browsers deny storage to third-party frames, so the host page's loader keeps the
// session; the frame talks to it only through postMessage, to the origin the server checked.
// When the page signs its visitors in itself (Switchboard.registerAuthProvider), "Sign in" asks
// the page for an authorization code, which the frame exchanges; the loader also hears what
// happens here as events (signedIn, signedOut, message, error).
import { eventStreamParser } from './event-stream.js';

var config = JSON.parse(document.getElementById('switchboard-config').textContent);
var el = function (id) { return document.getElementById(id); };
var signIn = el('sign-in');
var signOut = el('sign-out');
var who = el('who');
var fileInput = el('file');
var notice = el('notice');
var providerSignOut = el('provider-sign-out');
var transcript = el('transcript');
var refreshTimer = null;
var popup = null;
var list = el('messages');
var composer = el('composer');
var textarea = el('message');
var hint = el('composer-hint');
var lastId = 0;
var stream = null;
var scroller = el('scroll');
var olderNote = el('older');
var typingNote = el('typing');
var typingTimer = null;
var typingSentAt = 0;
var history = { firstId: 0, hasOlder: false, loading: false };
var readUpTo = 0;

// The bar's text is black or white, whichever reads better on the configured colour.
var rgb = parseInt(config.primaryColor.slice(1), 16);
var light = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255) > 150;
document.documentElement.style.setProperty('--primary', config.primaryColor);
document.documentElement.style.setProperty('--on-primary', light ? '#111' : '#fff');

var host = window.parent !== window ? window.parent : null;
// The page runs the sign-in (it registered an auth provider).
var pageAuth = false;

function tellHost(message) {
  if (host) host.postMessage(message, config.hostOrigin);
}

function emit(name, detail) {
  tellHost({ type: 'switchboard:event', name: name, detail: detail });
}
var store = {
  session: null,
  get: function () { return store.session; },
  set: function (session) {
    store.session = session;
    tellHost({ type: 'switchboard:store', session: session });
  }
};

function call(method, path, token, body) {
  var headers = token ? { Authorization: 'Bearer ' + token } : {};
  if (body) headers['Content-Type'] = 'application/json';
  return fetch(path, {
    method: method,
    headers: headers,
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'omit'
  }).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { ok: response.ok, status: response.status, body: body };
    });
  });
}

// What the greeting says of the agents: online now, or replies later (by email too when the
// server will send them to an address the provider vouches for).
function availability(identity) {
  if (config.agentsOnline) return 'An agent is online and will answer shortly.';
  var text = 'No one is online right now. Leave a message and we will reply here later.';
  if (config.emailReplies && identity && identity.email && identity.emailVerified) {
    text += ' The reply will also be sent to ' + identity.email + '.';
  }
  return text;
}

function render(session, message) {
  var identity = session && session.identity;
  el('availability').textContent = availability(identity);
  who.hidden = !identity;
  if (identity) el('name').textContent = identity.name || identity.email || identity.subject;
  signIn.hidden = !config.authentication || !!identity;
  signOut.hidden = !identity;
  notice.textContent = message || '';
  if (message) signIn.textContent = 'Sign in again';
  else signIn.textContent = 'Sign in';
  var mayWrite = !!identity || config.anonymousAllowed;
  textarea.disabled = !mayWrite;
  composer.querySelector('button').disabled = !mayWrite;
  fileInput.disabled = !mayWrite;
  hint.hidden = mayWrite;
  hint.textContent = mayWrite ? '' : 'Sign in to send a message.';
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
      // The page's own sign-in decides how the visitor signs in again.
      if (pageAuth) tellHost({ type: 'switchboard:reauthenticate' });
    }
  });
}

function ended() {
  var had = store.get();
  store.set(null);
  clearTimeout(refreshTimer);
  stop();
  render(null, 'Your session has ended.');
  if (had && had.identity) emit('signedOut', { reason: 'session_ended' });
}

function signedIn(session) {
  var previous = store.get();
  store.set(session);
  providerSignOut.hidden = true;
  render(session);
  schedule(session);
  if (previous && previous.token === session.token) return;
  if (session.identity) emit('signedIn', session.identity);
  // An anonymous conversation goes on, signed in, when the configuration allows it.
  if (config.upgrade && previous && !previous.identity && session.identity) {
    call('POST', '/messenger/v1/sessions/upgrade', session.token, { anonymousToken: previous.token })
      .then(function () { load(session); });
  } else {
    load(session);
  }
}

// The conversation.

function clearMessages() {
  Array.prototype.slice.call(list.querySelectorAll('li:not(.greeting)')).forEach(function (li) {
    li.remove();
  });
  lastId = 0;
  readUpTo = 0;
  history = { firstId: 0, hasOlder: false, loading: false };
  olderNote.hidden = true;
  transcript.hidden = true;
}

function item(author, text) {
  var li = document.createElement('li');
  li.className = author;
  var p = document.createElement('p');
  p.textContent = text;
  var meta = document.createElement('span');
  meta.className = 'meta';
  li.appendChild(p);
  li.appendChild(meta);
  return li;
}

function label(message) {
  var who = message.author === 'agent' ? 'Agent' : 'You';
  return who + ' · ' + new Date(message.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// Tells the page of each message that arrives or is sent while it looks on, once.
var announced = {};
function announce(message) {
  if (announced[message.id]) return;
  announced[message.id] = true;
  emit('message', { author: message.author, text: message.text });
}

function sent(li, message) {
  li.setAttribute('data-id', message.id);
  li.setAttribute('data-state', 'sent');
  li.querySelector('.meta').textContent = label(message) + ' · Sent';
  transcript.hidden = false;
}

// "Seen" under the visitor's newest message an agent has read.
function markSeen(upTo) {
  readUpTo = Math.max(readUpTo, upTo);
  var old = list.querySelector('.seen');
  if (old) old.remove();
  var read = Array.prototype.filter.call(list.querySelectorAll('li.visitor[data-id]'), function (li) {
    return Number(li.getAttribute('data-id')) <= readUpTo;
  });
  var last = read[read.length - 1];
  if (!last) return;
  var seen = document.createElement('span');
  seen.className = 'seen';
  seen.textContent = '· Seen';
  last.querySelector('.meta').appendChild(seen);
}

function agentTyping() {
  typingNote.textContent = 'Agent is typing…';
  clearTimeout(typingTimer);
  typingTimer = setTimeout(function () { typingNote.textContent = ''; }, 6000);
}

function messageItem(message) {
  var li = item(message.author, message.text);
  li.setAttribute('data-id', message.id);
  li.querySelector('.meta').textContent = label(message);
  if (message.attachment) attach(li, message.attachment);
  return li;
}

// A file's bytes, fetched with the session (an <img> or a link could not send it).
function fileBlob(file) {
  var session = store.get();
  return fetch('/messenger/v1/attachments/' + file.id, {
    headers: session ? { Authorization: 'Bearer ' + session.token } : {},
    credentials: 'omit'
  }).then(function (response) {
    if (!response.ok) throw new Error('The file is not available.');
    return response.blob();
  });
}

// Shows an image in place, and offers every file for download.
function attach(li, file) {
  var p = li.querySelector('p');
  p.textContent = '';
  if (file.contentType.indexOf('image/') === 0) {
    var img = document.createElement('img');
    img.alt = file.name;
    img.className = 'preview';
    p.appendChild(img);
    fileBlob(file).then(function (blob) { img.src = URL.createObjectURL(blob); }).catch(function () {});
  }
  var download = document.createElement('button');
  download.type = 'button';
  download.className = 'file';
  download.textContent = file.name + ' (' + Math.max(1, Math.round(file.size / 1024)) + ' KB)';
  download.addEventListener('click', function () {
    fileBlob(file).then(function (blob) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = file.name;
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    });
  });
  p.appendChild(download);
}

function show(message) {
  lastId = Math.max(lastId, message.id);
  transcript.hidden = false;
  if (!history.firstId) history.firstId = message.id;
  if (list.querySelector('li[data-id="' + message.id + '"]')) return;
  // The event may come before the answer to our own POST: it confirms the pending item.
  if (message.author === 'visitor') {
    var pending = Array.prototype.find.call(list.querySelectorAll('li[data-state="sending"]'), function (li) {
      return !message.attachment && li.querySelector('p').textContent === message.text;
    });
    if (pending) return sent(pending, message);
  }
  if (message.author === 'agent') {
    typingNote.textContent = '';
    clearTimeout(typingTimer);
  }
  list.appendChild(messageItem(message));
  scroller.scrollTop = scroller.scrollHeight;
  if (readUpTo) markSeen(readUpTo);
}

function load(session) {
  stop();
  clearMessages();
  call('GET', '/messenger/v1/conversation', session.token).then(function (result) {
    if (!result.ok) return;
    result.body.messages.forEach(show);
    history.hasOlder = result.body.hasOlder;
    if (result.body.agentReadId) markSeen(result.body.agentReadId);
    follow();
  });
}

// Older messages, a page at a time, when the visitor scrolls to the top.
function loadOlder() {
  var session = store.get();
  if (!session || !history.hasOlder || history.loading || !history.firstId) return;
  history.loading = true;
  olderNote.hidden = false;
  olderNote.textContent = 'Loading earlier messages…';
  var path = '/messenger/v1/conversation?limit=50&before=' + history.firstId;
  call('GET', path, session.token).then(function (result) {
    history.loading = false;
    if (!result.ok) {
      olderNote.textContent = 'Earlier messages could not be loaded; scroll up to try again.';
      return;
    }
    var height = scroller.scrollHeight;
    var anchor = list.querySelector('li:not(.greeting)');
    result.body.messages.forEach(function (message) {
      if (!list.querySelector('li[data-id="' + message.id + '"]')) {
        list.insertBefore(messageItem(message), anchor);
      }
    });
    if (result.body.messages.length) history.firstId = result.body.messages[0].id;
    history.hasOlder = result.body.hasOlder;
    olderNote.hidden = history.hasOlder;
    olderNote.textContent = history.hasOlder ? 'Scroll up for earlier messages.' : '';
    // Keep what the visitor was reading where it was.
    scroller.scrollTop += scroller.scrollHeight - height;
    if (readUpTo) markSeen(readUpTo);
  });
}

scroller.addEventListener('scroll', function () {
  if (scroller.scrollTop < 40) loadOlder();
});

function stop() {
  if (stream) stream.abort();
  stream = null;
}

// Reads the event stream; after a drop, reconnects with the last id seen.
function follow() {
  var session = store.get();
  if (!session) return;
  stop();
  var controller = new AbortController();
  stream = controller;
  var headers = { Authorization: 'Bearer ' + session.token };
  if (lastId) headers['Last-Event-ID'] = String(lastId);
  fetch('/messenger/v1/events', { headers: headers, signal: controller.signal, credentials: 'omit' })
    .then(function (response) {
      if (response.status === 401) return ended();
      if (!response.ok || !response.body) throw new Error('events: ' + response.status);
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var parser = eventStreamParser(dispatch);
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error('events: closed');
          parser.push(decoder.decode(chunk.value, { stream: true }));
          return pump();
        });
      }
      return pump();
    })
    .catch(function () {
      if (stream !== controller || controller.signal.aborted) return;
      setTimeout(function () { if (stream === controller) follow(); }, 2000);
    });
}

function dispatch(event) {
  var type = event.type;
  var data = event.data;
  if (type === 'message' && data) {
    var message = JSON.parse(data);
    show(message);
    announce(message);
  }
  else if (type === 'typing') agentTyping();
  else if (type === 'read' && data) markSeen(JSON.parse(data).upTo);
  else if (type === 'signed-out') ended();
}

// A session to write with: the visitor's, or a new anonymous one when that is allowed.
function writer() {
  var session = store.get();
  if (session) return Promise.resolve(session);
  return call('POST', '/messenger/v1/sessions', null, { deploymentId: config.deploymentId }).then(function (result) {
    if (!result.ok) throw new Error(result.body.message || 'The messenger is unavailable.');
    store.set(result.body);
    follow();
    return result.body;
  });
}

function deliver(li, text) {
  li.setAttribute('data-state', 'sending');
  li.querySelector('.meta').textContent = 'Sending…';
  writer().then(function (session) {
    return call('POST', '/messenger/v1/messages', session.token, { text: text });
  }).then(function (result) {
    if (!result.ok) throw new Error(result.body.message || 'Not sent.');
    var same = list.querySelector('li[data-id="' + result.body.id + '"]');
    if (same && same !== li) return li.remove();
    sent(li, result.body);
    announce(result.body);
    lastId = Math.max(lastId, result.body.id);
  }).catch(function (error) {
    li.setAttribute('data-state', 'failed');
    var meta = li.querySelector('.meta');
    meta.textContent = 'Not sent: ' + error.message + ' ';
    var retry = document.createElement('button');
    retry.type = 'button';
    retry.textContent = 'Retry';
    retry.addEventListener('click', function () { deliver(li, text); });
    meta.appendChild(retry);
  });
}

composer.addEventListener('submit', function (event) {
  event.preventDefault();
  var text = textarea.value.replace(/\s+$/, '');
  if (!text.trim()) return;
  textarea.value = '';
  var li = item('visitor', text);
  list.appendChild(li);
  el('scroll').scrollTop = el('scroll').scrollHeight;
  deliver(li, text);
});

// A file the visitor picks goes at once, as a message of its own.
fileInput.addEventListener('change', function () {
  var file = fileInput.files && fileInput.files[0];
  fileInput.value = '';
  if (!file) return;
  var li = item('visitor', file.name);
  li.setAttribute('data-state', 'sending');
  li.querySelector('.meta').textContent = 'Sending…';
  list.appendChild(li);
  el('scroll').scrollTop = el('scroll').scrollHeight;
  writer().then(function (session) {
    return fetch('/messenger/v1/attachments?name=' + encodeURIComponent(file.name), {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + session.token, 'Content-Type': 'application/octet-stream' },
      body: file,
      credentials: 'omit'
    });
  }).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (!response.ok) throw new Error(body.message || 'Not sent.');
      var same = list.querySelector('li[data-id="' + body.id + '"]');
      if (same) return li.remove();
      li.remove();
      show(body);
      announce(body);
    });
  }).catch(function (error) {
    li.setAttribute('data-state', 'failed');
    li.querySelector('.meta').textContent = 'Not sent: ' + error.message;
  });
});

// Tells the agents the visitor is typing, at most every few seconds.
textarea.addEventListener('input', function () {
  var session = store.get();
  if (!session || Date.now() - typingSentAt < 3000) return;
  typingSentAt = Date.now();
  call('POST', '/messenger/v1/typing', session.token);
});

textarea.addEventListener('keydown', function (event) {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

signIn.addEventListener('click', function () {
  notice.textContent = '';
  if (pageAuth) return tellHost({ type: 'switchboard:need-auth', interactive: true });
  popup = window.open(config.signInUrl, 'switchboard-sign-in', 'popup,width=520,height=680');
  if (!popup) notice.textContent = 'Allow pop-ups for this site to sign in.';
});

// The code the page's own sign-in obtained, exchanged for a messenger session.
function exchange(oauth) {
  call('POST', '/messenger/v1/token/exchange', null, { deploymentId: config.deploymentId, oauth: oauth })
    .then(function (result) {
      if (result.ok) return signedIn(result.body);
      var reason = result.body.error || 'exchange_failed';
      render(store.get(), 'Sign-in failed (' + reason + ').');
      emit('error', { reason: reason, message: result.body.message });
    });
}

signOut.addEventListener('click', endSession);

// Ends the messenger session; the page hears signedOut with the provider's sign-out address
// (with id_token_hint and the way back), which a page-side site sends the visitor to.
function endSession() {
  var session = store.get();
  store.set(null);
  clearTimeout(refreshTimer);
  stop();
  render(null);
  if (config.clearOnSignOut) clearMessages();
  if (!session) return;
  call('DELETE', '/messenger/v1/token', session.token).then(function (result) {
    var endSessionUrl = result.ok ? result.body.endSessionUrl || null : null;
    if (endSessionUrl) {
      providerSignOut.href = endSessionUrl;
      providerSignOut.hidden = false;
    }
    if (session.identity) emit('signedOut', { reason: 'signed_out', endSessionUrl: endSessionUrl });
  });
}

// The conversation as a text file, fetched with the session (a plain link could not carry it).
transcript.addEventListener('click', function () {
  var session = store.get();
  if (!session) return;
  fetch('/messenger/v1/transcript?format=text', {
    headers: { Authorization: 'Bearer ' + session.token },
    credentials: 'omit'
  }).then(function (response) {
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.blob();
  }).then(function (file) {
    var link = document.createElement('a');
    link.href = URL.createObjectURL(file);
    link.download = 'conversation.txt';
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  }).catch(function () {
    notice.textContent = 'The transcript could not be downloaded. Try again.';
  });
});

el('close').addEventListener('click', function () {
  window.parent.postMessage({ type: 'switchboard:close' }, config.hostOrigin);
});

window.addEventListener('message', function (event) {
  // The host page hands back the session it kept for us.
  if (host && event.source === host && event.origin === config.hostOrigin) {
    var command = event.data || {};
    if (command.type === 'switchboard:session') {
      pageAuth = !!command.pageAuth && config.authentication;
      if (command.session) restore(command.session);
      else if (pageAuth) tellHost({ type: 'switchboard:need-auth' });
    } else if (command.type === 'switchboard:page-auth' && config.authentication) {
      pageAuth = true;
      if (!store.get() || !store.get().identity) tellHost({ type: 'switchboard:need-auth' });
    } else if (command.type === 'switchboard:auth-code' && command.oauth && pageAuth) {
      exchange(command.oauth);
    } else if (command.type === 'switchboard:sign-out') {
      endSession();
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
    emit('error', { reason: data.reason });
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
      if (pageAuth) tellHost({ type: 'switchboard:need-auth' });
    }
  });
}

render(null);
tellHost({ type: 'switchboard:ready' });

// Reads a server-sent event stream as the HTML standard describes it ("Parsing an event
// stream"): lines end in LF, CR or CRLF; a blank line ends an event; `data:` lines join with
// LF; `event:` names it (default "message"); `id:` is remembered; lines starting with `:` are
// comments (the server's keep-alives). The frame reads the stream with fetch, so that the
// session travels in a header, and feeds the text here chunk by chunk.

/**
 * @param {(event: {type: string, data: string, id: string}) => void} onEvent
 * @returns {{push: (text: string) => void, lastId: () => string}}
 */
export function eventStreamParser(onEvent) {
  let pending = '';
  let type = '';
  let data = [];
  let lastId = '';

  function line(text) {
    if (text === '') {
      if (data.length) onEvent({ type: type || 'message', data: data.join('\n'), id: lastId });
      type = '';
      data = [];
      return;
    }
    if (text[0] === ':') return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && value.indexOf('\0') < 0) lastId = value;
  }

  // After a CR that ended a chunk, an LF opening the next one is the rest of that CRLF.
  let skipLf = false;

  return {
    push(text) {
      if (skipLf && text[0] === '\n') text = text.slice(1);
      skipLf = false;
      pending += text;
      let end;
      while ((end = pending.search(/[\r\n]/)) >= 0) {
        const crlf = pending[end] === '\r' && pending[end + 1] === '\n';
        if (pending[end] === '\r' && end === pending.length - 1) skipLf = true;
        line(pending.slice(0, end));
        pending = pending.slice(end + (crlf ? 2 : 1));
      }
    },
    lastId() {
      return lastId;
    },
  };
}

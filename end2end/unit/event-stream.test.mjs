// Unit tests of the frame's event-stream parser (node --test), fed the way a network delivers
// a stream: in arbitrary chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventStreamParser } from '../../public/messenger/event-stream.js';

function parse(chunks) {
  const events = [];
  const parser = eventStreamParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return { events, parser };
}

test('events end at a blank line, with their name, data and id', () => {
  const { events } = parse(['id: 7\nevent: read\ndata: {"upTo":7}\n\n', 'data: {"id":8}\n\n']);
  assert.deepEqual(events, [
    { type: 'read', data: '{"upTo":7}', id: '7' },
    { type: 'message', data: '{"id":8}', id: '7' },
  ]);
});

test('chunks may split lines, fields and line endings anywhere', () => {
  const text = 'event: typing\r\ndata: x\r\n\r\nid: 3\rdata: {"a":\rdata: 1}\r\r';
  for (let size = 1; size <= text.length; size++) {
    const chunks = [];
    for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size));
    const { events, parser } = parse(chunks);
    assert.deepEqual(
      events,
      [
        { type: 'typing', data: 'x', id: '' },
        { type: 'message', data: '{"a":\n1}', id: '3' },
      ],
      `chunks of ${size}`,
    );
    assert.equal(parser.lastId(), '3');
  }
});

test('comments, unknown fields and events without data dispatch nothing', () => {
  const { events } = parse([': keep-alive\n\n', 'retry: 5\n\n', 'event: read\n\n']);
  assert.deepEqual(events, []);
  // A bare "data" line is an event with empty data, as the standard says.
  assert.deepEqual(parse(['data\n\n']).events, [{ type: 'message', data: '', id: '' }]);
});

test('one space after the colon is dropped, the rest is kept', () => {
  const { events } = parse(['data:  two spaces\ndata:none\n\n']);
  assert.equal(events[0].data, ' two spaces\nnone');
});

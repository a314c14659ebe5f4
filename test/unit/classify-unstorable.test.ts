import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../shared/inbound/classify.js';

const phone = '+15551234567';
const agentId = 'my-agent';
const long = 'x'.repeat(1501);

describe('classifyInbound: what Firestore cannot store is unprocessable', () => {
  it.each([
    ['a user message id __x__', { messageId: '__x__', text: 'hi' }, 'user message id "__x__" is reserved'],
    ['a user message id ..', { messageId: '..', text: 'hi' }, 'user message id ".." is reserved'],
    ['a user message id .', { messageId: '.', text: 'hi' }, 'user message id "." is reserved'],
    ['a user message id with /', { messageId: 'a/b', text: 'hi' }, 'contains "/"'],
    ['a user message id over 1,500 bytes', { messageId: long, text: 'hi' }, 'longer than 1500 bytes'],
    [
      'a tap keyed by a reserved event id',
      { eventId: '__t__', suggestionResponse: { postbackData: 'p' } },
      'reserved',
    ],
    [
      'a userFile with a reserved key',
      { messageId: 'm1', userFile: { payload: { __k__: 'v', mimeType: 'image/png' } } },
      'field name "__k__" is reserved',
    ],
    ['a location with an empty key', { messageId: 'm2', location: { '': 1 } }, 'field name is empty'],
  ])('%s', (_name, fields, reason) => {
    const payload = classifyInbound({ senderPhoneNumber: phone, agentId, ...fields }, {});
    expect(payload).toEqual({ kind: 'unprocessable', reason: expect.stringContaining(reason) });
  });

  it.each([
    ['__y__', 'DELIVERED messageId "__y__" is reserved'],
    ['..', 'DELIVERED messageId ".." is reserved'],
    ['.', 'DELIVERED messageId "." is reserved'],
    ['m/1', 'contains "/"'],
    [long, 'longer than 1500 bytes'],
  ])('a DELIVERED for message id %j', (messageId, reason) => {
    const payload = classifyInbound(
      { senderPhoneNumber: phone, agentId, eventType: 'DELIVERED', eventId: 'e1', messageId },
      {},
    );
    expect(payload).toEqual({ kind: 'unprocessable', reason: expect.stringContaining(reason) });
  });

  it.each([
    ['a reserved id', { eventId: '__l__' }, 'agent launch event id "__l__" is reserved'],
    ['an id over 1,500 bytes', { eventId: long }, 'longer than 1500 bytes'],
    ['a reserved field', { eventId: 'l1', details: { __k__: 1 } }, 'field name "__k__" is reserved'],
  ])('an agent launch event with %s', (_name, fields, reason) => {
    const payload = classifyInbound({ agentId, ...fields }, { type: 'agent_launch_event' });
    expect(payload).toEqual({ kind: 'unprocessable', reason: expect.stringContaining(reason) });
  });

  it.each([
    [
      'a launch event id with "/" (stored with "_")',
      { eventId: 'a/b' },
      { type: 'agent_launch_event' },
      'launchEvent',
    ],
    [
      'a user message id with dots inside',
      { senderPhoneNumber: phone, messageId: 'a..b', text: 'x' },
      {},
      'userMessage',
    ],
    [
      'a DELIVERED with a 1,500-byte message id',
      { senderPhoneNumber: phone, eventType: 'DELIVERED', eventId: 'e', messageId: 'm'.repeat(1500) },
      {},
      'deliveryEvent',
    ],
  ])('%s is still processed', (_name, fields, attributes, kind) => {
    expect(classifyInbound({ agentId, ...fields }, attributes)).toMatchObject({ kind });
  });
});

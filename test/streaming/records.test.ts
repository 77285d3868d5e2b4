import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { messageLine, microBatchBytes } from '../../src/streaming/records';
import { readJsonl } from '../../src/pipeline/sources/jsonl.source';

const msg = (position: string, payload: string | null) => ({ position, payload, handle: null });

describe('micro-batch records', () => {
  it('keeps a JSON object with its position, on one line', () => {
    expect(JSON.parse(messageLine(msg('4', '{"a":\n 1}')))).toEqual({ a: 1, _position: '4' });
  });

  it('rejects anything else with its own plain reason, its position and its payload', async () => {
    const bytes = microBatchBytes([
      msg('1', '{"a": 1}'),
      msg('2', 'not json\nat all'),
      msg('3', '42'),
      msg('4', null),
      msg('5', 'x'.repeat(5000)),
      msg('6', '[1, 2]'),
      msg('7', ''),
      msg('8', 'null'),
      msg('9', '"text"'),
    ]);
    const parsed = [];
    for await (const r of readJsonl(Readable.from(bytes), 'raw_1')) parsed.push(r);
    expect(parsed).toHaveLength(9);
    expect(parsed[0]).toMatchObject({ raw: { a: 1, _position: '1' } });
    expect(parsed[0]!.parseError).toBeUndefined();
    const reasons = parsed.slice(1).map((r) => r.parseError);
    expect(reasons).toEqual([
      expect.stringMatching(/^message is not valid JSON: Unexpected token 'o', "not json/),
      'message is JSON but not an object (got number)',
      'message has no payload',
      expect.stringMatching(/^message is not valid JSON: Unexpected token 'x'/),
      'message is JSON but not an object (got array)',
      'message has no payload',
      'message is JSON but not an object (got null)',
      'message is JSON but not an object (got string)',
    ]);
    expect(reasons.join(' ')).not.toMatch(/@position|invalid JSON/);
    expect(parsed[1]!.raw).toMatchObject({ _position: '2', _payload: 'not json\nat all' });
    expect(parsed[2]!.raw).toMatchObject({ _position: '3', _payload: '42' });
    expect(parsed[3]!.raw).toMatchObject({ _position: '4', _payload: '' });
    expect(String(parsed[4]!.raw._payload)).toHaveLength(501);
  });
});

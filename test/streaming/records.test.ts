import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { messageLine, microBatchBytes } from '../../src/streaming/records';
import { readJsonl } from '../../src/pipeline/sources/jsonl.source';

const msg = (position: string, payload: string | null) => ({ position, payload, handle: null });

describe('micro-batch records', () => {
  it('keeps a JSON object with its position, on one line', () => {
    expect(JSON.parse(messageLine(msg('4', '{"a":\n 1}')))).toEqual({ a: 1, _position: '4' });
  });

  it('turns anything else into a line the JSONL reader rejects, naming position and problem', async () => {
    const bytes = microBatchBytes([
      msg('1', '{"a": 1}'),
      msg('2', 'not json\nat all'),
      msg('3', '42'),
      msg('4', null),
      msg('5', 'x'.repeat(5000)),
    ]);
    const parsed = [];
    for await (const r of readJsonl(Readable.from(bytes), 'raw_1')) parsed.push(r);
    expect(parsed).toHaveLength(5);
    expect(parsed[0]).toMatchObject({ raw: { a: 1, _position: '1' } });
    expect(parsed[1]!.parseError).toMatch(/^invalid JSON/);
    expect(parsed[1]!.raw._line).toMatch(/^@position 2: invalid JSON \(.*\); payload: "not json\\nat all"$/);
    expect(parsed[2]!.raw._line).toBe('@position 3: each message must be a JSON object; payload: "42"');
    expect(parsed[3]!.raw._line).toMatch(/^@position 4: the message has no payload/);
    expect(String(parsed[4]!.raw._line)).toMatch(/^@position 5: invalid JSON/);
  });
});

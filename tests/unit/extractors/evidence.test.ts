import { describe, expect, it } from 'vitest';
import { quote } from '../../../extractors/evidence.js';
import { prepare } from '../../../extractors/text.js';

describe('quote', () => {
  const raw =
    '國務委員、公安部部長趙克志在京與越南公安部部長蘇林舉行會談。會談後，雙方簽署了《關於打擊跨國犯罪合作的諒解備忘錄》。';
  const doc = prepare(raw, 'https://example.org/a', null);

  it('cuts the quote from the original text so that offsets index it', () => {
    const key = { start: raw.indexOf('簽署'), end: raw.indexOf('簽署') + 2 };
    const ev = quote(doc, 'is_signing', key, 120);
    expect(raw.slice(ev.start, ev.end)).toBe(ev.quote);
    expect(ev.quote).toContain('雙方簽署了');
    expect(ev.source_url).toBe('https://example.org/a');
    expect(ev.field).toBe('is_signing');
  });

  it('stays within the sentence and within maxChars', () => {
    const key = { start: raw.indexOf('蘇林'), end: raw.indexOf('蘇林') + 2 };
    const ev = quote(doc, 'counterpart_signatory', key, 20);
    expect(ev.quote.length).toBeLessThanOrEqual(20);
    expect(ev.quote).toContain('蘇林');
    expect(ev.quote).not.toContain('會談後');
  });

  it('truncates a key longer than maxChars', () => {
    const start = raw.indexOf('《');
    const ev = quote(doc, 'title_zh', { start, end: raw.indexOf('》') + 1 }, 10);
    expect(ev.quote).toBe(raw.slice(start, start + 10));
  });
});

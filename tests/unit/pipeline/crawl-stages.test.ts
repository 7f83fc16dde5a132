import { describe, expect, it } from 'vitest';
import { parseStoredCrawlOptions, storedCrawlOptions } from '../../../pipeline/crawl-stages.js';

describe("a crawl's saved options", () => {
  it('come back as they were given, so a worker elsewhere builds the same stages', () => {
    const given = {
      maxPages: 50,
      since: '2020-01-01',
      timeoutMs: 5000,
      incremental: false,
      wayback: { cdxUrl: 'http://127.0.0.1:9/cdx' },
      maxListPagesPerShape: 20,
    };
    expect(parseStoredCrawlOptions(JSON.stringify(storedCrawlOptions(given)))).toEqual(given);
  });

  it('leave out what was not given: the defaults apply', () => {
    const stored = JSON.stringify(storedCrawlOptions({}));
    expect(JSON.parse(stored)).toEqual({ maxPages: null, since: null });
    expect(parseStoredCrawlOptions(stored)).toEqual({ maxPages: null });
  });

  it('read what older versions saved, and drop a field of the wrong type', () => {
    expect(parseStoredCrawlOptions('{"maxPages":null,"since":"2019-05-01"}')).toEqual({
      maxPages: null,
      since: '2019-05-01',
    });
    expect(
      parseStoredCrawlOptions('{"maxPages":"ten","incremental":"no","wayback":true,"extra":1}'),
    ).toEqual({ wayback: true });
  });
});

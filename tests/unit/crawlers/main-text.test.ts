import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../../crawlers/html.js';

/**
 * The generic main-text extractor on 30 authored pages in the layouts pactwatch crawls (MPS,
 * embassies, the foreign ministry, Chinese and foreign news sites, foreign governments' and
 * police forces' CMSs, old GBK-era markup), each with the noise those sites carry. A sentence
 * of the article missing from the text loses the signing it reports; a related headline kept
 * in it invents one.
 */

interface Expected {
  /** The page's address as crawled (resolves links, may carry a date). */
  readonly url: string;
  readonly title: string;
  readonly published: string | null;
  /** Sentences of the article the text must hold. */
  readonly must: readonly string[];
  /** Menu items, related headlines, sidebar prose and footers the text must not hold. */
  readonly must_not: readonly string[];
}

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/main-text');
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<
  string,
  Expected
>;
const pages = Object.entries(expected).map(([file, want]) => ({ file, ...want }));

describe('main-text evaluation set', () => {
  it('labels every page in the folder, and only those', () => {
    const files = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.html'))
      .sort();
    expect(Object.keys(expected).sort()).toEqual(files);
    expect(files).toHaveLength(30);
  });

  it.each(pages)('$file', ({ file, url, title, published, must, must_not }) => {
    const doc = parseHtml(fs.readFileSync(path.join(DIR, file), 'utf8'), url);
    const missing = must.filter((s) => !doc.text.includes(s));
    const noise = must_not.filter((s) => doc.text.includes(s));
    expect({ title: doc.title, published: doc.published, missing, noise }).toEqual({
      title,
      published,
      missing: [],
      noise: [],
    });
  });
});

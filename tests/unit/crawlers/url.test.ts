import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../../../core/errors.js';
import { hostMatches, hostOf, normalizeUrl, urlKey } from '../../../crawlers/url.js';

describe('normalizeUrl', () => {
  it('drops utm_* and click ids but keeps meaningful parameters', () => {
    expect(
      normalizeUrl(
        'https://app.mps.gov.cn/gdnps/pc/content.jsp?id=7460430&utm_source=wx&UTM_Medium=a&fbclid=1&gclid=2&spm=a.b&mtype=4',
      ),
    ).toBe('https://app.mps.gov.cn/gdnps/pc/content.jsp?id=7460430&mtype=4');
    expect(normalizeUrl('https://news.example.org/a?from=timeline')).toBe(
      'https://news.example.org/a?from=timeline',
    );
  });

  it('removes the fragment and an empty query', () => {
    expect(normalizeUrl('https://www.mps.gov.cn/n2253534/content.html#top')).toBe(
      'https://www.mps.gov.cn/n2253534/content.html',
    );
    expect(normalizeUrl('https://www.mps.gov.cn/a.html?')).toBe('https://www.mps.gov.cn/a.html');
    expect(normalizeUrl('https://www.mps.gov.cn/a.html?utm_campaign=x#p2')).toBe(
      'https://www.mps.gov.cn/a.html',
    );
  });

  it('lower-cases scheme and host, drops default ports, keeps path case', () => {
    expect(normalizeUrl('HTTPS://WWW.FMPRC.GOV.CN:443/web/GJHDQ_676201/Index.shtml')).toBe(
      'https://www.fmprc.gov.cn/web/GJHDQ_676201/Index.shtml',
    );
    expect(normalizeUrl('http://Example.COM:80/')).toBe('http://example.com/');
    expect(normalizeUrl('http://example.com:8080/x')).toBe('http://example.com:8080/x');
    expect(normalizeUrl('http://example.com')).toBe('http://example.com/');
  });

  it('sorts parameters so order does not make two pages', () => {
    expect(normalizeUrl('https://x.cn/list?page=2&b=1&a=3')).toBe(
      'https://x.cn/list?a=3&b=1&page=2',
    );
    expect(urlKey('https://x.cn/list?b=1&a=3')).toBe(urlKey('https://x.cn/list?a=3&b=1#frag'));
  });

  it('keeps the original escaping of parameter values', () => {
    expect(normalizeUrl('https://x.cn/s?q=a/b:c&k=%e4%b8%ad')).toBe(
      'https://x.cn/s?k=%E4%B8%AD&q=a/b:c',
    );
  });

  it('resolves relative links against a base', () => {
    const base = 'https://it.china-embassy.gov.cn/chn/sbdt/201510/t20151008_9476232.htm';
    expect(normalizeUrl('../201709/t20170918_2915255.htm', base)).toBe(
      'https://it.china-embassy.gov.cn/chn/sbdt/201709/t20170918_2915255.htm',
    );
    expect(normalizeUrl('/chn/index.htm', base)).toBe(
      'https://it.china-embassy.gov.cn/chn/index.htm',
    );
    expect(normalizeUrl('//www.gwytb.gov.cn/zl/', base)).toBe('https://www.gwytb.gov.cn/zl/');
  });

  it('refuses non-http(s) and invalid URLs with a NonRetryableError', () => {
    for (const bad of ['javascript:void(0)', 'mailto:a@b.cn', 'ftp://x.cn/f', 'not a url']) {
      expect(() => normalizeUrl(bad)).toThrow(NonRetryableError);
    }
    try {
      normalizeUrl('ftp://x.cn/f');
    } catch (err) {
      expect(err).toBeInstanceOf(NonRetryableError);
      expect((err as NonRetryableError).code).toBe('USER_INPUT');
    }
  });

  it('names the bad option', () => {
    expect(() =>
      normalizeUrl('https://x.cn', undefined, { sortQuery: 'yes' as unknown as boolean }),
    ).toThrow(/`sortQuery`.*`yes`/);
  });
});

describe('hostOf and hostMatches', () => {
  it('gives the lower-case host without port', () => {
    expect(hostOf('https://WWW.MPS.gov.cn:8443/x')).toBe('www.mps.gov.cn');
  });

  it('matches exact hosts and subdomains only', () => {
    expect(hostMatches('www.mps.gov.cn', ['mps.gov.cn'])).toBe(true);
    expect(hostMatches('mps.gov.cn', ['mps.gov.cn'])).toBe(true);
    expect(hostMatches('evilmps.gov.cn', ['mps.gov.cn'])).toBe(false);
    expect(hostMatches('mps.gov.cn.evil.com', ['mps.gov.cn'])).toBe(false);
  });
});

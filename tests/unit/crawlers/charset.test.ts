import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody } from '../../../crawlers/charset.js';

const ZH = '公安部部长会见越南公安部代表团，双方签署合作谅解备忘录。';

function page(metaTag: string): string {
  return `<!DOCTYPE html><html><head>${metaTag}<title>${ZH}</title></head><body><p>${ZH}</p></body></html>`;
}

describe('decodeBody', () => {
  it('decodes a GBK page whose charset is only in <meta charset>', () => {
    const bytes = iconv.encode(page('<meta charset="gbk">'), 'gbk');
    const { text, charset, source } = decodeBody(bytes, 'text/html', undefined);
    expect(charset).toBe('gbk');
    expect(source).toBe('meta');
    expect(text).toContain(ZH);
  });

  it('decodes a GB2312 http-equiv label as GBK, so GBK-only characters survive', () => {
    // 镕 and 喆 are outside GB2312 but in GBK: pages labelled gb2312 contain them anyway.
    const html = page(
      '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    ).replace('</body>', '<p>朱镕基 陶喆</p></body>');
    const { text, charset } = decodeBody(iconv.encode(html, 'gbk'), null);
    expect(charset).toBe('gbk');
    expect(text).toContain('朱镕基 陶喆');
    expect(text).not.toContain('\uFFFD');
  });

  it('finds a <meta> charset behind a long head that the 1024-byte prescan misses', () => {
    const filler = `<script>${'var a = 1;\n'.repeat(200)}</script>`;
    const html = `<html><head>${filler}<meta charset="gb2312"></head><body><p>${ZH}</p></body></html>`;
    const { text, charset } = decodeBody(iconv.encode(html, 'gbk'), 'text/html');
    expect(charset).toBe('gbk');
    expect(text).toContain(ZH);
  });

  it('lets the Content-Type header win over the meta', () => {
    const bytes = Buffer.from(page('<meta charset="gbk">'), 'utf8');
    const { text, charset, source } = decodeBody(bytes, 'text/html; charset=UTF-8');
    expect(charset).toBe('utf-8');
    expect(source).toBe('header');
    expect(text).toContain(ZH);
  });

  it('honours a quoted header charset', () => {
    const bytes = iconv.encode(page(''), 'gbk');
    expect(decodeBody(bytes, 'text/html; charset="GB2312"').text).toContain(ZH);
  });

  it('lets a BOM win over everything', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(page('<meta charset="gbk">')),
    ]);
    const { text, charset, source } = decodeBody(bytes, 'text/html; charset=gbk');
    expect(source).toBe('bom');
    expect(charset).toBe('utf-8');
    expect(text.startsWith('<!DOCTYPE')).toBe(true);
    expect(text).toContain(ZH);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(ZH, 'utf-16le')]);
    expect(decodeBody(utf16, null)).toMatchObject({ text: ZH, charset: 'utf-16le' });
  });

  it('uses the meta when the header says UTF-8 over GBK bytes', () => {
    const bytes = iconv.encode(
      page('<meta http-equiv="content-type" content="text/html; charset=gbk">'),
      'gbk',
    );
    const { text, charset, source } = decodeBody(bytes, 'text/html; charset=utf-8');
    expect(source).toBe('meta');
    expect(charset).toBe('gbk');
    expect(text).toContain(ZH);
  });

  it('lets a <meta> charset override a server-default ISO-8859-1 header', () => {
    const bytes = iconv.encode(page('<meta charset="gb2312">'), 'gbk');
    expect(decodeBody(bytes, 'text/html;charset=ISO-8859-1')).toMatchObject({
      charset: 'gbk',
      source: 'meta',
    });
    expect(decodeBody(bytes, 'text/html;charset=ISO-8859-1').text).toContain(ZH);
  });

  it('falls back to the source hint, then to UTF-8', () => {
    const gbk = iconv.encode(`<p>${ZH}</p>`, 'gbk');
    expect(decodeBody(gbk, 'text/html', 'gb2312')).toMatchObject({
      charset: 'gbk',
      source: 'hint',
    });
    expect(decodeBody(gbk, 'text/html', 'gb2312').text).toContain(ZH);
    const utf8 = Buffer.from(`<p>${ZH}</p>`);
    expect(decodeBody(utf8, null)).toMatchObject({ charset: 'utf-8', source: 'default' });
    expect(decodeBody(utf8, null).text).toContain(ZH);
  });

  it('never throws on bad bytes; they become replacement characters', () => {
    const bad = new Uint8Array([0x3c, 0x70, 0x3e, 0xff, 0xfe, 0xfd, 0xc3, 0x28, 0x3c]);
    const { text } = decodeBody(bad, 'text/html; charset=utf-8');
    expect(text).toContain('\uFFFD');
    expect(() =>
      decodeBody(bad, 'text/html; charset=x-no-such-charset', 'also-bogus'),
    ).not.toThrow();
    expect(decodeBody(new Uint8Array(0), null).text).toBe('');
  });

  it('rejects a bad option by name', () => {
    expect(() => decodeBody(new Uint8Array(0), null, undefined, { prescanBytes: 10 })).toThrow(
      /`prescanBytes`.*`10`/,
    );
  });
});

describe('charsetFromContentType', () => {
  it('reads plain and quoted parameters', () => {
    expect(charsetFromContentType('text/html; charset=GBK')).toBe('GBK');
    expect(charsetFromContentType('text/html;charset="utf-8"; foo=bar')).toBe('utf-8');
    expect(charsetFromContentType('text/html')).toBeNull();
    expect(charsetFromContentType(null)).toBeNull();
  });
});

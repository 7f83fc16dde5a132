import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';

/**
 * Failure classes found by the fourth blind set (tests/fixtures/extract/next/blind4.jsonl), each
 * checked on sentences written for these tests: other countries, other names, other phrasing.
 */

function records(text: string, published = '2022-09-14') {
  return extract({ text, published }).agreements;
}

function only(text: string, published = '2022-09-14') {
  const found = records(text, published);
  expect(found).toHaveLength(1);
  const r = found[0];
  if (r === undefined) throw new Error('no agreement extracted');
  return r;
}

describe('a police force’s own English name', () => {
  it('takes the name the page writes with the country in it (no data for that country)', () => {
    const r = only(
      [
        'Lesotho and China sign police training memorandum',
        'Maseru, 13 September 2022 - The Lesotho Mounted Police Service and the Ministry of Public Security of China today signed a memorandum of understanding on police training.',
      ].join('\n'),
    );
    expect(r.counterpart_countries).toEqual(['LSO']);
    expect(r.counterpart_agency).toBe('Lesotho Mounted Police Service');
    expect(r.counterpart_agency_type).toBe('national_police');
  });

  it('keeps a royal style written before the country', () => {
    const r = only(
      'Thimphu, 13 September 2022 - The Royal Bhutan Police and China’s Ministry of Public Security signed a memorandum of understanding on combating drug trafficking.',
    );
    expect(r.counterpart_agency).toBe('Royal Bhutan Police');
  });

  it('names Oman’s force Royal Oman Police on a Chinese page too', () => {
    const r = only(
      '公安部国际合作局与阿曼皇家警察9月13日在马斯喀特签署了《中国公安部国际合作局与阿曼皇家警察关于警务培训合作的谅解备忘录》。',
    );
    expect(r.counterpart_agency).toBe('Royal Oman Police');
  });

  it('gives 内务部 the English name the ministry uses (Ministry of the Interior)', () => {
    const r = only(
      '9月13日，驻斯洛文尼亚大使与斯洛文尼亚内务部国务秘书在卢布尔雅那签署《中华人民共和国公安部和斯洛文尼亚共和国内务部关于警务联合巡逻的谅解备忘录》。',
    );
    expect(r.counterpart_agency).toBe('Ministry of the Interior of Slovenia');
  });

  it('does not read "on Police Cooperation" in a title as the signing party', () => {
    const r = only(
      [
        'Iceland and China sign police memorandum',
        'Reykjavík, 13 September 2022 - Minister Jon Gunnarsson today signed a Memorandum of Understanding on Police Cooperation with Chinese Vice Minister of Public Security Xu Datong.',
      ].join('\n'),
    );
    expect(r.counterpart_agency).not.toBe('Police of Iceland');
  });
});

describe('pages that report no signing of MPS', () => {
  it('rejects "No memorandum was signed"', () => {
    const out = extract({
      text: [
        'Chief of Police receives Chinese delegation',
        'Tallinn, 13 September 2022 - The Police and Border Guard Board met a delegation of the Chinese Ministry of Public Security. No memorandum was signed at the meeting.',
      ].join('\n'),
      published: '2022-09-13',
    });
    expect(out.agreements).toEqual([]);
  });

  it('rejects a memorandum "to be signed" later', () => {
    const out = extract({
      text: [
        'Interior Minister meets Chinese Ambassador',
        'Vilnius, 13 September 2022 - The Minister of the Interior met the Chinese Ambassador. Both sides discussed a protocol on police training to be signed next spring.',
      ].join('\n'),
      published: '2022-09-13',
    });
    expect(out.agreements).toEqual([]);
  });

  it('rejects two other countries’ police signing on a page that never names China', () => {
    const out = extract({
      text: [
        'Nepal and Indian border police sign MoU',
        'Kathmandu, 13 September 2022 - The Nepal Police and the Sashastra Seema Bal signed a Memorandum of Understanding on border security in Birgunj today.',
        'Related: Chinese envoy visits Pokhara',
      ].join('\n'),
      published: '2022-09-13',
    });
    expect(out.agreements).toEqual([]);
  });
});

describe('an exchange of notes', () => {
  it('reads 进行了换文 as the signing of an exchange of notes', () => {
    const r = only('9月13日，驻斐济大使与斐济警察总监在苏瓦就中国警务专家赴斐工作事宜进行了换文。');
    expect(r.doc_type).toBe('exchange_of_notes');
    expect(r.counterpart_countries).toEqual(['FJI']);
  });
});

describe('names and titles', () => {
  it('reads a transliterated name of more than twelve characters in full', () => {
    const r = only(
      [
        '9月13日，公安部部长在京与尼日尔内政部长阿马杜·易卜拉欣·巴卡里·西迪贝举行会谈。',
        '会谈后，公安部部长与西迪贝签署了《中华人民共和国公安部与尼日尔共和国内政部关于警务合作的谅解备忘录》。',
      ].join('\n'),
    );
    expect(r.counterpart_signatory.name).toBe('阿马杜·易卜拉欣·巴卡里·西迪贝');
  });

  it('runs an English title through a country name with accents', () => {
    const r = only(
      'Lomé, 13 September 2022 - The two ministers signed the Memorandum of Understanding between the Ministry of Security of São Tomé and Príncipe and the Ministry of Public Security of China on Police Training.',
    );
    expect(r.title_en).toBe(
      'Memorandum of Understanding between the Ministry of Security of São Tomé and Príncipe and the Ministry of Public Security of China on Police Training',
    );
  });

  it('codes an unnamed bureau head (出入境管理局负责人) as bureau_head', () => {
    const r = only(
      '公安部出入境管理局与新加坡移民与关卡局13日签署了《关于出入境管理合作的谅解备忘录》。备忘录由出入境管理局负责人与新加坡移民与关卡局副局长签署。',
    );
    expect(r.cn_signatory.title).toBe('bureau_head');
    expect(r.cn_signatory.name_zh).toBeNull();
  });

  it('dates "today" by a ministry’s long source line', () => {
    const r = only(
      [
        'China donates police equipment to Montenegro',
        'Government of Montenegro, Ministry of Interior and Public Administration - 12 September 2022',
        'Minister of Interior Filip Adzic and Chinese Ambassador Liu Jin today signed the handover certificate for vehicles and radios donated by China.',
        'The equipment will be used by the Border Police.',
      ].join('\n'),
      '2022-09-14',
    );
    expect(r.date_signed).toBe('2022-09-12');
  });
});

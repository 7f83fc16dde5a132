import { countriesNamedIn } from './countries.js';
import { documentsIn } from './documents.js';
import type { PreparedText, Sentence, Span } from './text.js';
import type { DocMention, SigningEvent } from './types.js';
import { findVerbs } from './verbs.js';

export { MAY_REPORT_SIGNING } from './verbs.js';

/**
 * Signing events: sentences where an active signing verb (verbs.ts) governs at least one
 * document (documents.ts), and whose parties include a Chinese public-security body: named in
 * the sentence, or in the readout around it when the sentence names no other Chinese body as
 * the signer (another ministry, a court, Taiwan's or Hong Kong's own police).
 */

const FOLLOW_UP =
  /^(其中|包括|分别是|分别为|具体|这些|上述|即|these|they|the documents|including|among them|among (?:the|these|those) (?:[\w-]+ ){0,2}(?:instruments|documents|agreements|texts|deals)\b)/i;
/** "Other instruments include …": the summit's documents of other fields, after the police one. */
const OTHERS_LISTED =
  /^(?:The\s+)?other\s+(?:[\w-]+\s+){0,2}(?:instruments|documents|agreements|deals|texts|accords)\s+(?:include|included|signed|cover|covered|concern|concerned|were)\b/i;
/** Heads of state or government adopting a statement: a summit's, not a police document. */
const LEADERS_ADOPT =
  /\b(?:presidents|heads of state|heads of government|prime ministers|premiers|leaders)\b[^.;]{0,40}$|(?:两国元首|双方元首|两国领导人|两国总理|两国总统)[^，。；]{0,12}$/i;

/** A public-security body as a party (公安部, 警方, the Ministry of Public Security …). */
const PS_PARTY =
  /公安|警察|警务|警方|警用|移民管理|出入境管理|边防|禁毒委|禁毒办|禁毒局|刑侦|刑警|执法安全合作中心|public security|police|\bMPS\b|interpol|narcotics control (?:commission|bureau)|immigration administration/i;
/** Police matters as a subject: a public-security signing, unless another body signs. */
const PS_TOPIC =
  /执法安全|执法合作|执法装备|执法能力|禁毒|反恐|治安|打击犯罪|law enforcement|law-enforcement|combat(?:ing)? crime/i;
/** MPS itself (or China's police) named as the signer. */
const MPS_PARTY =
  /公安部|公安厅|公安局|公安机关|中国警方|国家移民管理局|国家禁毒|Ministry of Public Security|Public Security Minist|Minister of Public Security|Chinese police|China's police|\bMPS\b/i;
/**
 * "the Lao Minister of Public Security", "Vietnam's Ministry of Public Security": another
 * country's public-security ministry, named by its demonym or country, is not MPS.
 */
const FOREIGN_PS =
  /\b(?!(?:Chinese|China's|Vice|Deputy|Assistant|First|Executive|State|The|And|Of|Former|Acting)\b)[A-Z][a-z]+(?:'s)?\s+(?:(?:Vice|Deputy|First Deputy)\s+)?(?:Ministry|Minister) of Public Security/g;
/**
 * MPS named in `span`, not another country's public-security ministry (越南公安部, the Lao
 * Minister of Public Security).
 */
function mpsNamedIn(doc: PreparedText, span: Span): boolean {
  const text = doc.text
    .slice(span.start, span.end)
    .replace(FOREIGN_PS, (m) => ' '.repeat(m.length));
  const re = new RegExp(MPS_PARTY.source, 'gi');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (!m[0].startsWith('公安')) return true;
    const at = span.start + m.index;
    let foreign = false;
    for (let k = 2; k <= 6 && !foreign; k += 1) {
      const named = countriesNamedIn(doc, Math.max(span.start, at - k), at);
      if (named.china) break;
      foreign = named.foreign.size > 0;
    }
    if (!foreign) return true;
  }
  return false;
}
/** Words of a police document's name. */
const POLICE_SUBJECT =
  /公安|警|执法|安全|犯罪|禁毒|毒品|反恐|恐怖|移民|边境|边防|出入境|司法|内政|内务|治安|诈骗|police|security|crime|criminal|law enforcement|drug|narcotic|terror|border|immigration|traffick|fraud|cyber|interior/i;
/** A news agency's dateline (新华社北京3月2日电, 中国日报网3月12日电): names no party. */
const DATELINE_ZH = /^[^，。；\n]{0,24}?\d{1,2}\s*月\s*\d{1,2}\s*日\s*电\s*/;
const OTHER_MINISTRY =
  /商务部|教育部|科技部|科学技术部|文化和旅游部|文化部|旅游局|卫生健康委|卫生部|农业农村部|农业部|交通运输部|生态环境部|自然资源部|工业和信息化部|财政部|人民银行|海关总署|发展改革委|民航局|最高人民法院|最高人民检察院|国防部|中央军委|水利部|住房和城乡建设部|市场监督管理总局|体育总局|广电总局|Ministry of Commerce|Ministry of Education|Ministry of Science|Ministry of Culture|Ministry of Agriculture|Ministry of Transport|Ministry of National Defen[cs]e|People's Bank|Ministry of Defen[cs]e|(?:Ministry of Justice|Supreme People's (?:Court|Procuratorate)) of (?:the People's Republic of )?China|(?:China's|Chinese) (?:Ministry of Justice|Justice Ministry|Supreme People's (?:Court|Procuratorate))|(?:中国|中方)司法部/i;
/** Taiwan's, Hong Kong's and Macao's own police and security bodies: not MPS. */
const NOT_MPS_PARTY =
  /警政署|刑事警察局|移民署|调查局|海巡署|内政部警政|警务处|保安局|保安司|入境事务处|治安警察局|司法警察局|驻美代表处|代表处|在台协会|台北经济文化|Hong Kong(?:'s)? police|Hong Kong Police Force|Macau Public Security Police|Macao Public Security Police|Taiwan(?:'s)? (?:police|National Police Agency|Criminal Investigation Bureau)/i;

const CONTEXT_CHARS = 1500;
/** A report of a document signed, earlier in the item. */
const SIGNED_EARLIER =
  /(?:签署|签订|签约|\bsigned\b|\binked\b)[^。.]{0,40}?(?:协议|协定|议定书|备忘录|纪要|声明|意向书|换文|安排|计划|方案|清单|证书|交接书|文件|agreement|memorand|\bMoU\b|protocol|plan|letter of intent|minutes|statement|certificate|document)/i;

/** A dated paragraph opens a news item (9月24日，…; BEIJING, Nov. 23 …; 2016年11月22日…). */
const LEAD_DATE =
  /\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年\s*\d{1,2}\s*月|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b/;

/**
 * The readout that leads up to a signing sentence: back through earlier paragraphs to the dated
 * paragraph that opens the item (at most CONTEXT_CHARS), so that other items on a long page do
 * not lend it their countries, officials or topics.
 */
function contextBefore(doc: PreparedText, sentence: Sentence): Span {
  const own = doc.paragraphs[sentence.paragraph];
  let start = own?.start ?? sentence.start;
  // The item may open with the signing sentence itself (中新网7月8日电 …签署): then the lines above
  // it (a date and source line) are not its readout.
  const opensHere =
    own !== undefined &&
    LEAD_DATE.test(
      doc.text.slice(own.start, Math.max(sentence.start, Math.min(sentence.end, own.start + 30))),
    );
  for (let p = sentence.paragraph - 1; p >= 0 && !opensHere; p -= 1) {
    const para = doc.paragraphs[p];
    if (para === undefined || sentence.start - para.start > CONTEXT_CHARS) break;
    start = para.start;
    if (LEAD_DATE.test(doc.text.slice(para.start, para.end))) break;
  }
  return { start: Math.min(start, sentence.start), end: sentence.start };
}

const FOLLOWING_SENTENCES = 2;

/**
 * The sentences right after `sentence`: the rest of its paragraph, or the next paragraph when it
 * ends there ("The document was signed in Rome by …"), but never into a new dated item.
 */
export function followingSentences(doc: PreparedText, sentence: Sentence): Span {
  let end = sentence.end;
  let paragraph = sentence.paragraph;
  for (let i = sentence.index + 1; i <= sentence.index + FOLLOWING_SENTENCES; i += 1) {
    const next = doc.sentences[i];
    if (next === undefined) break;
    if (next.paragraph !== paragraph) {
      if (next.paragraph !== paragraph + 1 || paragraph !== sentence.paragraph) break;
      if (LEAD_DATE.test(doc.text.slice(next.start, Math.min(next.end, next.start + 40)))) break;
      paragraph = next.paragraph;
    }
    end = next.end;
  }
  return { start: sentence.end, end };
}

/** A sentence that says who signed (代表…签字, signed on behalf of, 由…签署). */
const SAYS_WHO_SIGNED = /签|代表|sign|on behalf of|\bfor the (?:Chinese|ministry|MPS)\b/i;

/** The sentences right after `sentence` that say who signed it. */
function signersAfter(doc: PreparedText, sentence: Sentence): Span[] {
  const after = followingSentences(doc, sentence);
  const out: Span[] = [];
  for (let i = sentence.index + 1; i < doc.sentences.length; i += 1) {
    const next = doc.sentences[i];
    if (next === undefined || next.start >= after.end) break;
    if (SAYS_WHO_SIGNED.test(doc.text.slice(next.start, next.end))) out.push(next);
  }
  return out;
}

/** How many sentences after a signing a definite, passive mention still restates it. */
const RESTATED_WITHIN = 3;
const DEFINITE_BEFORE =
  /(?:\b(?:the|this|that)\s+(?:[\w-]+\s+){0,2}|(?:该|此|上述|这份|这一|本)[\u4e00-\u9fa5]{0,4})$/i;
const PASSIVE_EN = /\b(?:was|were|been|being|is|are)\s+(?:\w+\s+)?$/i;
const SIGNED_BY_ZH = /由[^。；]{1,60}?(?:签署|签字|签订)/;

/** A bare document named as the one already reported (the MoU was signed by, 该备忘录由…签署). */
function restates(doc: PreparedText, d: DocMention, sentence: Sentence): boolean {
  if (d.titleZhSpan !== null || d.titleEnSpan !== null || d.termSpan === null) return false;
  const before = doc.text.slice(Math.max(sentence.start, d.termSpan.start - 30), d.termSpan.start);
  if (!DEFINITE_BEFORE.test(before)) return false;
  const verbBefore = doc.text.slice(Math.max(sentence.start, d.verb.start - 20), d.verb.start);
  return (
    PASSIVE_EN.test(verbBefore) || SIGNED_BY_ZH.test(doc.text.slice(sentence.start, sentence.end))
  );
}

/** Lists of links that follow an article on news sites; their headlines report other items. */
const RELATED_LINKS =
  /^[ \t【[]*(?:相关链接|相关新闻|相关阅读|相关报道|相关稿件|延伸阅读|推荐阅读|热点推荐|往期回顾|更多新闻|更多阅读|更多报道|更多精彩|Related (?:News|Stories|Articles|Links)|Read more|See also|More news)\s*[】\]]?\s*[:：]?\s*$|^[ \t]*(?:Related|Read more|See also|Read also|More news)\s*:/im;

function articleEnd(doc: PreparedText): number {
  const m = RELATED_LINKS.exec(doc.text);
  return m === null ? doc.text.length : m.index;
}

export interface SigningOptions {
  /** Names of MPS officials found in a span count as a public-security party. */
  readonly hasMpsOfficial: (doc: PreparedText, span: Span) => boolean;
}

/**
 * Signing events on the page: each sentence with an active signing verb and at least one
 * document, whose parties include a Chinese public-security body (in the sentence, a title,
 * or the text leading up to it when no other Chinese ministry is named as the signer).
 */
export function findSigningEvents(doc: PreparedText, options: SigningOptions): SigningEvent[] {
  const events: SigningEvent[] = [];
  const sentences = doc.sentences;
  const end = articleEnd(doc);
  let chinaOnPage: boolean | undefined;
  for (const [i, verbs] of findVerbs(doc)) {
    const sentence = sentences[i];
    if (sentence === undefined || sentence.start >= end) continue;
    let docs = documentsIn(doc, sentence, verbs);
    const next = sentences[i + 1];
    if (
      docs.length > 0 &&
      docs.every((d) => d.type === 'unspecified') &&
      next !== undefined &&
      // "Among them was …" may open the next paragraph.
      next.paragraph - sentence.paragraph <= 1 &&
      FOLLOW_UP.test(doc.text.slice(next.start, next.end).trim())
    ) {
      const listed = documentsIn(doc, next, [
        { start: next.start, end: next.start, witnessed: false, adoption: false },
      ]);
      if (listed.some((d) => d.type !== 'unspecified')) {
        const verb = verbs[0];
        docs = listed
          .filter((d) => d.type !== 'unspecified')
          .map((d) => (verb === undefined ? d : { ...d, verb }));
      }
    }
    if (docs.length === 0) continue;
    const verb = verbs[0];
    if (verb === undefined) continue;
    const opening = doc.text.slice(sentence.start, sentence.end).trim();
    if (OTHERS_LISTED.test(opening) && !MPS_PARTY.test(opening)) continue;
    if (
      verbs.every((v) => v.adoption) &&
      LEADERS_ADOPT.test(doc.text.slice(sentence.start, verb.start)) &&
      !docs.some((d) => POLICE_SUBJECT.test(doc.text.slice(d.describes.start, d.describes.end)))
    ) {
      continue;
    }
    // 见证签署仪式 after the item already reported what was signed: that signing again (whether it
    // was MPS's or not), not a signing of its own.
    if (
      docs.every((d) => d.termSpan === null && d.titleZhSpan === null && d.titleEnSpan === null) &&
      SIGNED_EARLIER.test(doc.text.slice(contextBefore(doc, sentence).start, sentence.start))
    ) {
      continue;
    }
    const sentenceText = doc.text.slice(sentence.start, sentence.end);
    const context = contextBefore(doc, sentence);
    const headline = doc.headline;
    const contextText =
      (headline !== null && headline.end <= context.start
        ? doc.text.slice(headline.start, headline.end)
        : '') + doc.text.slice(context.start, context.end);
    const titleText = docs.map((d) => d.titleZh ?? '').join('\n');
    const partyInSentence = PS_PARTY.test(sentenceText) || options.hasMpsOfficial(doc, sentence);
    const psInSentence = partyInSentence || PS_TOPIC.test(sentenceText);
    // Readouts name the public-security party before the signing (Chinese) or just after it
    // ("… signed the document on behalf of China"); a later sentence counts only when it says
    // who signed, not when it reports another meeting (公安部副部长…与…进行了工作会晤).
    const psAfter = signersAfter(doc, sentence).some(
      (span) =>
        PS_PARTY.test(doc.text.slice(span.start, span.end)) || options.hasMpsOfficial(doc, span),
    );
    const psInContext =
      PS_PARTY.test(contextText) ||
      PS_TOPIC.test(contextText) ||
      psAfter ||
      options.hasMpsOfficial(doc, context) ||
      (headline !== null && options.hasMpsOfficial(doc, headline));
    // Another Chinese ministry, or Taiwan's or Hong Kong's own police, signing: not MPS's.
    if (OTHER_MINISTRY.test(sentenceText) && !partyInSentence) continue;
    if (NOT_MPS_PARTY.test(sentenceText) && !MPS_PARTY.test(`${sentenceText}\n${titleText}`))
      continue;
    if (!psInSentence && !psInContext) continue;
    // Two other governments signing (老挝和泰国签署…, Laos and Thailand signed …): China is no
    // party, whatever the subject (禁毒) or the police named.
    const chinaNamed = (whole: Span): boolean => {
      // 中国日报网3月12日电: the agency's own name in a dateline names no party.
      const dateline = DATELINE_ZH.exec(doc.text.slice(whole.start, whole.end));
      const span = { start: whole.start + (dateline?.[0].length ?? 0), end: whole.end };
      return (
        countriesNamedIn(doc, span.start, span.end).china ||
        mpsNamedIn(doc, span) ||
        options.hasMpsOfficial(doc, span)
      );
    };
    const subject = countriesNamedIn(doc, sentence.start, verb.start);
    // The Royal Bhutan Police and the West Bengal Police signed …: an article that never names
    // China, its ministry or one of its officials reports no signing of MPS's.
    // (Chinese pages may name China only as 驻X大使 or 我部.)
    if (!/[\u4e00-\u9fff]/.test(sentenceText)) {
      chinaOnPage ??= chinaNamed({ start: 0, end });
      if (!chinaOnPage) continue;
    }
    if (
      subject.foreign.size >= 2 &&
      !chinaNamed(sentence) &&
      !chinaNamed(context) &&
      (headline === null || !chinaNamed(headline))
    ) {
      continue;
    }
    // 「臺灣與史瓦帝尼警政合作協定」: a title whose parties are two others is not MPS's document.
    docs = docs.filter((d) => {
      const t = d.titleZhSpan ?? d.titleEnSpan;
      if (t === null) return true;
      const named = countriesNamedIn(doc, t.start, t.end);
      return (
        named.china || named.foreign.size < 2 || MPS_PARTY.test(doc.text.slice(t.start, t.end))
      );
    });
    // 《…全面战略伙伴关系的五年实施纲要》 beside the police MoU a summit signed: a titled document
    // of no listed type whose name is about no police matter is another field's.
    if (docs.some((d) => POLICE_SUBJECT.test(doc.text.slice(d.describes.start, d.describes.end)))) {
      docs = docs.filter(
        (d) =>
          d.type !== 'other' ||
          d.term !== null ||
          POLICE_SUBJECT.test(doc.text.slice(d.describes.start, d.describes.end)),
      );
    }
    if (docs.length === 0) continue;
    const inHeadline =
      headline !== null && sentence.start >= headline.start && sentence.end <= headline.end;
    if (inHeadline && headline !== null) {
      // A headline is checked against the lead it summarises (中巴两军签署… / 国防部与…).
      const lead = doc.paragraphs.find((p) => p.start >= headline.end);
      const leadText = lead === undefined ? '' : doc.text.slice(lead.start, lead.end);
      const otherLead = OTHER_MINISTRY.test(leadText) || NOT_MPS_PARTY.test(leadText);
      if (otherLead && !PS_PARTY.test(leadText) && !partyInSentence) continue;
    }
    // "The MoU was signed by …", 该备忘录由…签署: the document just reported, said again with who
    // signed it; not another one.
    const previous = events.at(-1);
    if (
      previous !== undefined &&
      !inHeadline &&
      !previous.inHeadline &&
      sentence.index - previous.sentence.index <= RESTATED_WITHIN &&
      docs.every((d) => restates(doc, d, sentence))
    ) {
      continue;
    }
    events.push({
      sentence,
      verb,
      witnessed: verbs.some((v) => v.witnessed),
      docs,
      context,
      inHeadline,
      publicSecurityInSentence: psInSentence,
    });
  }
  return events;
}

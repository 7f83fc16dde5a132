import {
  clauseAround,
  overlapsTitle,
  type PreparedText,
  type Sentence,
  type Span,
  sentenceIndexAt,
} from './text.js';

/**
 * Signing verbs (签署, 续签, signed, renewed, inked …) that report a fresh signing: not plans
 * (将签署, will sign), negations, background (根据…签署的, since the signing of …, first signed in
 * 2017) or running totals (已签署100余份). Adoption verbs (通过, 确认, adopted) count only for the
 * documents that are adopted rather than signed: outcome lists and joint statements.
 */

/**
 * Cheap test on the raw page before any normalisation or segmentation: most crawled pages fail
 * it. It reads both scripts (簽) and full-width letters are rare enough to ignore here.
 */
export const MAY_REPORT_SIGNING =
  /签|簽|籤|缔结|締結|互换|互換|交换|交換|换文|換文|成果清单|成果清單|联合声明|聯合聲明|sign|inked|inks\b|\bink\b|conclud|renew|joint statement|outcome/i;

export interface Verb extends Span {
  /** 见证签署 / witnessed the signing of: the leaders named did not sign themselves. */
  readonly witnessed: boolean;
  /** 通过 / 确认 / adopted: governs only outcome lists and joint statements. */
  readonly adoption: boolean;
}

// Groups: 1 witness prefix (zh), 2 verb (zh), 3 adoption (zh), 4 witness prefix (en), 5 verb
// (en), 6 adoption (en).
const VERB =
  /(见证(?:了)?(?:双方)?(?:代表)?(?:共同)?)?(签署|签订|签约|签字|草签|签下|续签|缔结|订立|(?:互换|交换)(?:了)?(?=[^，。；]{0,40}(?:换文|照会|批准书|文本))|(?:进行|举行|完成)(?:了)?(?=换文))|((?:共同)?(?:确认|通过|发表|发布)(?=了?(?:《|「|“|[^，。；《]{0,24}(?:成果清单|成果声明|联合声明|共同声明|联合公报))))|\b(witness(?:ed|es|ing)?\s+the\s+)?(sign(?:ed|s|ing)?|inked|inks|ink|concluded|renew(?:ed|s)?)\b|\b(adopted|issued|released)(?=\s+(?:a|the|an)\s+(?:[\w-]+\s+){0,4}(?:joint\s+statement|joint\s+declaration|list\s+of\s+outcomes|outcome))/gi;

const FUTURE_ZH =
  /(将|拟|计划|准备|即将|有望|预计|希望|愿|愿意|期待|同意|商定|争取|尽快|早日|下一步|将要|有待)[^，。；]{0,8}$/;
const NEGATION_ZH = /(未|没有|尚未|不)\s*$/;
/** 并未与中国签署, 从未同任何国家签订: a negation a few words before the verb. */
const NEGATION_ZH_AHEAD = /(?:并未|从未|尚未|未曾|没有|并没有|未)(?!来|知)[^，。；]{0,12}$/;
const FUTURE_EN =
  /\b(will|would|shall|to|could|may|might|plans?|planned|expected|set|going|intends?|ready|willing|hopes?|aims?|agreed|agree|are|is|towards?|possibility\s+of|prospects?\s+of)\s+(?:(?:to|be|also|soon|jointly|formally)\s+){0,3}$/;
const NEGATION_EN =
  /\b(not|never|yet to|failed to)\s+(?:be\s+)?$|\b(?:no|nothing)\s+(?:[\w-]+\s+){0,4}(?:was|were|has\s+been|had\s+been|have\s+been|is|are)\s+$/;
/** "a memorandum … to be signed later this year": a document still to come. */
const TO_BE_EN = /\b(?:to|will|would|shall|could|may|might|can)\s+be\s+$/;
const BACKGROUND_BEFORE_ZH =
  /根据|依据|按照|回顾|总结|落实|执行(?!委员会|委|主任|局|秘书|理事|董事)|曾|此前|先后|历年|累计|迄今|至今|近年来|多年来|以往|过去|首次签署于/;
const BACKGROUND_AFTER_ZH = /^[了的]?[^，。]{0,40}?(以来|基础上|框架下|框架内|生效|周年)/;
const CUMULATIVE_ZH =
  /已(?:经)?[^，。]{0,12}?(?:\d+|[两三四五六七八九十百]+)(?:余|多)?(?:份|项|个)/;
/** 签署执法合作文件400余份, 签订了数十份协议: a running total written after the verb. */
const CUMULATIVE_AFTER_ZH =
  /^[了过]?[^，。；]{0,16}?(?:\d+|[数几十百千]+)(?:余|多)(?:份|项|个)|^[了过]?[^，。；]{0,16}?[数几][十百](?:份|项|个)/;
/**
 * 备忘录签署后, 协议的签署将为…: the document just reported as the subject of a noun-like 签署 (after
 * its signing, the signing will …), not another signing.
 */
const NOMINAL_BEFORE_ZH =
  /(?:协议|协定|议定书|备忘录|纪要|声明|清单|计划|安排|意向书|方案|换文|文件)(?:的)?\s*$/;
const NOMINAL_AFTER_ZH = /^(?:后|以后|之后|以来|将|为|标志着|意味着|是|有助于|必将)/;
const ATTRIBUTIVE_FRESH = /此次|本次|今天|今日|这次|会上|会后|当天|刚刚|当日|双方/;
const BACKGROUND_BEFORE_EN =
  /\b(since|pursuant to|in line with|according to|implement\w*|based on|previously|first|originally|initially|already|earlier)\b[^.;]{0,40}$|\bhad\s+$/i;
const BACKGROUND_AFTER_EN =
  /^\s+(in\s+(19|20)\d{2}|last\s+(year|month)|previously|earlier|years ago|more than|over \d|nearly)/i;
const CUMULATIVE_EN =
  /\b(have|has|had)\s+signed\s+(more than|over|nearly|about|some|a total of|\d+)/i;
/**
 * "during which 16 agreements were signed in the areas of trade …", "one of nine cooperation
 * documents signed during the visit": a visit's tally of documents (or the report's own document
 * counted among them), not a further police document.
 */
const NUMBER_EN =
  '(?:\\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?\\s+of|several|a\\s+number\\s+of|more\\s+than\\s+\\w+|over\\s+\\w+)';
const TALLY_BEFORE_EN = new RegExp(
  `\\b(?:one\\s+of\\s+(?:the\\s+)?${NUMBER_EN}?|among\\s+(?:the\\s+)?${NUMBER_EN}|${NUMBER_EN})\\s+(?:[\\w-]+\\s+){0,3}(?:agreements|documents|instruments|deals|accords|memoranda|memorandums|mous|pacts|protocols)\\s+(?:that\\s+)?(?:were\\s+|had\\s+been\\s+|have\\s+been\\s+|being\\s+)?$`,
  'i',
);
const TALLY_AFTER_EN =
  /^\s+(?:more\s+than\s+|over\s+|some\s+|nearly\s+)?(?:\d+|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?\s+of|several)\s+(?:[\w-]+\s+){0,2}(?:agreements|documents|instruments|deals|accords|pacts)\b/i;
/** Fields of a police document: a tally that names none of them is another field's. */
const POLICE_FIELD_EN =
  /police|policing|security|crime|criminal|law enforcement|drug|narcotic|terror|interior|border|immigration|traffick|fraud|cyber|justice/i;
/** "renewed" is a signing only with a document right after it (renewed a memorandum …). */
const RENEW_OBJECT =
  /^\s+(?:(?:a|an|the|their|its)\s+)?(?:[\w-]+\s+){0,3}(?:memorand|agreement|protocol|accord|plan|mou|deal|pact)/i;

/** The text of `span` with 《…》 titles masked, so words inside a name do not count. */
export function clauseText(doc: PreparedText, span: Span): string {
  let text = doc.text.slice(span.start, span.end);
  for (const t of doc.titles) {
    if (t.end <= span.start || t.start >= span.end) continue;
    const s = Math.max(0, t.start - span.start);
    const e = Math.min(text.length, t.end - span.start);
    text = text.slice(0, s) + '＿'.repeat(e - s) + text.slice(e);
  }
  return text;
}

function isActiveEnglish(doc: PreparedText, sentence: Sentence, verb: Span): boolean {
  const text = doc.text;
  const after = text.slice(verb.end, Math.min(sentence.end, verb.end + 60));
  const lowerBefore = doc.lower.slice(Math.max(sentence.start, verb.start - 60), verb.start);
  const word = doc.lower.slice(verb.start, verb.end);
  if (word.startsWith('renew') && !RENEW_OBJECT.test(after)) return false;
  // "The signing was part of …", "the signing took place in …": the signing just reported.
  if (
    word === 'signing' &&
    /\b(?:the|this|that|its)\s+$/.test(lowerBefore) &&
    !/^\s+(?:of|ceremony\s+(?:of|for))\b/i.test(after)
  )
    return false;
  if (NEGATION_EN.test(lowerBefore)) return false;
  if (FUTURE_EN.test(lowerBefore) && !/^(signed|inked|concluded|renewed)$/.test(word)) return false;
  if (TO_BE_EN.test(lowerBefore)) return false;
  if (BACKGROUND_BEFORE_EN.test(lowerBefore)) return false;
  if (BACKGROUND_AFTER_EN.test(after)) return false;
  const around = text.slice(Math.max(sentence.start, verb.start - 12), verb.end + 30);
  if (CUMULATIVE_EN.test(around)) return false;
  // "Mexico and China sign 20 agreements during state visit": a visit's count of documents of
  // no police field.
  if (
    TALLY_AFTER_EN.test(after) &&
    !POLICE_FIELD_EN.test(text.slice(sentence.start, sentence.end))
  ) {
    return false;
  }
  const tally = lowerBefore.match(TALLY_BEFORE_EN);
  if (tally !== null) {
    // "one of nine …": the document just reported, counted among the visit's.
    if (/^(?:one|among)\b/.test(tally[0])) return false;
    const rest = text.slice(verb.end, sentence.end);
    if (!POLICE_FIELD_EN.test(rest)) return false;
  }
  return true;
}

function isActiveChinese(doc: PreparedText, sentence: Sentence, verb: Span): boolean {
  const text = doc.text;
  const clause = clauseAround(doc, verb.start, sentence);
  const before = clauseText(doc, { start: clause.start, end: verb.start });
  const after = text.slice(verb.end, Math.min(sentence.end, verb.end + 60));
  const past = /^[了过]/.test(after);
  if (NEGATION_ZH.test(before)) return false;
  if (NEGATION_ZH_AHEAD.test(before) && !/不仅|不但|不断/.test(before)) return false;
  if (NOMINAL_BEFORE_ZH.test(before) && NOMINAL_AFTER_ZH.test(after)) return false;
  if (CUMULATIVE_AFTER_ZH.test(clauseText(doc, { start: verb.end, end: clause.end }))) return false;
  if (!past && FUTURE_ZH.test(before)) return false;
  if (BACKGROUND_BEFORE_ZH.test(before)) return false;
  if (BACKGROUND_AFTER_ZH.test(clauseText(doc, { start: verb.end, end: clause.end }))) return false;
  if (CUMULATIVE_ZH.test(clauseText(doc, clause))) return false;
  // 签署的《…》 is a relative clause: a fresh signing only with 此次 / 会上 … before it.
  if (after.startsWith('的') && !ATTRIBUTIVE_FRESH.test(before)) return false;
  return true;
}

/** Active signing verbs of the whole page, grouped by sentence index (one pass over the text). */
export function findVerbs(doc: PreparedText): Map<number, Verb[]> {
  const bySentence = new Map<number, Verb[]>();
  VERB.lastIndex = 0;
  for (let m = VERB.exec(doc.text); m !== null; m = VERB.exec(doc.text)) {
    const start = m.index;
    const end = start + m[0].length;
    // Titles are documents, not verbs: 《…签署…》 says nothing about this page.
    if (overlapsTitle(doc, start, end)) continue;
    const index = sentenceIndexAt(doc, start);
    const sentence = doc.sentences[index];
    if (sentence === undefined || end > sentence.end) continue;
    const english = m[5] !== undefined || m[6] !== undefined;
    const span = { start, end };
    if (!(english ? isActiveEnglish : isActiveChinese)(doc, sentence, span)) continue;
    const list = bySentence.get(index) ?? [];
    list.push({
      start,
      end,
      witnessed: m[1] !== undefined || m[4] !== undefined,
      adoption: m[3] !== undefined || m[6] !== undefined,
    });
    bySentence.set(index, list);
  }
  return bySentence;
}

const WITNESS_WORD = /见证|witness(?:ed|es|ing)?\s+the\s+signing/gi;

/**
 * 在…见证下 (in the presence of) is not witnessing: the people named after it signed themselves.
 * Whether the document at `pos` was witnessed rather than signed by the people the sentence
 * names: the nearest 见证 / "witnessed the signing" before it (or a 见证了…的签署 around it) comes
 * after the nearest plain signing verb.
 */
export function witnessedAt(
  doc: PreparedText,
  sentence: Span,
  verbs: readonly Verb[],
  pos: number,
): boolean {
  const text = doc.text.slice(sentence.start, pos);
  let witness = -1;
  WITNESS_WORD.lastIndex = 0;
  for (let m = WITNESS_WORD.exec(text); m !== null; m = WITNESS_WORD.exec(text)) {
    const presence = text.slice(m.index).match(/^见证下/);
    if (presence === null) witness = sentence.start + m.index;
  }
  if (witness === -1) return false;
  // 见证了…的签署 is the witnessing itself, not a signing by the subject; 见证越南公安部与中国公安部签署
  // names the parties whose people signed while the leaders watched.
  const plainBefore = verbs.some(
    (v) =>
      !v.witnessed &&
      v.end <= pos &&
      v.start > witness &&
      doc.text[v.start - 1] !== '的' &&
      !/^\s*(?:仪式|ceremony)/.test(doc.text.slice(v.end, v.end + 8)) &&
      !BODIES_ONLY.test(doc.text.slice(witness, v.start)),
  );
  return !plainBefore;
}

/** 见证[了]X与Y签署 where X and Y are bodies (部, 局, 双方), not people. */
const BODIES_ONLY =
  /^见证(?:了)?(?:双方)?[^，。；]{0,40}?(?:部|局|厅|署|委员会|中心|部门|机构|政府|警方|双方|两国|双方代表|代表)\s*(?:共同|正式)?$/;

import type { DocType } from '../schemas/codes.js';
import { isCountryName } from './countries.js';
import { classifyTitle, codedTermSpan, type DocTermMatch, findDocTerms } from './doctype.js';
import { clauseAround, type PreparedText, type Sentence, type Span } from './text.js';
import type { DocMention } from './types.js';
import { clauseText, type Verb, witnessedAt } from './verbs.js';

/**
 * The documents a signing sentence names, one mention per document: 《…》 titles (typed by the
 * term that ends them), bare terms (谅解备忘录, a memorandum of understanding on …), counted
 * terms (两份谅解备忘录，分别涉及…和…; two MoUs, one on … and one on …), and 有关合作文件 alone.
 */

const TITLE_SKIP_BEFORE = /(根据|依据|按照|落实|贯彻|执行|援引|基于|延续|对照|关于)\s*$/;
const TITLE_SKIP_AFTER = /^\s*(精神|规定|要求|框架|基础上|以来|有关规定)/;
const UMBRELLA_BEFORE = /等[^，。；、《》]{0,6}$|including\s*$|such as\s*$/i;
const QUANTITY_ZH = /(\d+|[两二三四五六七八九十])\s*(?:份|项|个)[^，。；《》]{0,4}$/;
const QUANTITY_EN =
  /\b(two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:(?:new|more|separate|bilateral|cooperation|security|police|law-enforcement|other|further|additional)\s+){0,2}$/i;
const EN_REFERENCE_BEFORE =
  /\b(implement\w*|under|pursuant to|in line with|according to|based on|framework of|since|existing|previous)\b[^.;]{0,25}$/i;
const BACKGROUND_BEFORE_ZH =
  /根据|依据|按照|回顾|总结|落实|执行(?!委员会|委|主任|局|秘书|理事|董事)|曾|此前|先后|历年|累计|迄今|至今|近年来|多年来|以往|过去/;
const NUMBERS: Readonly<Record<string, number>> = {
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  两: 2,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  十: 10,
};
const MAX_QUANTITY = 10;
/** Titles of documents from other fields, signed at the same ceremony. */
const OTHER_FIELD =
  /金融|空运|航空|海运|经贸|贸易|农业|教育|文化|旅游|卫生|科技|投资|税收|能源|电力|经济技术|邮政|海关|检验检疫|医药|广播|体育|青年|媒体/;
const POLICE_WORDS =
  /公安|警|执法|犯罪|禁毒|毒品|反恐|恐怖|安保|治安|移民|出入境|边境|边防|司法|诈骗|安全合作/;
const CEREMONY = /^(?:了)?\s*(?:仪式|ceremony)|^\s*ceremony/i;
/** What an adoption verb (通过, 确认, adopted) can govern; a memorandum is signed, not adopted. */
const ADOPTABLE: ReadonlySet<DocType> = new Set([
  'outcomes_list',
  'joint_statement',
  'action_plan',
  'other',
]);

function quantityOf(doc: PreparedText, term: Span, english: boolean): number {
  const before = doc.text.slice(Math.max(0, term.start - 24), term.start);
  const m = (english ? QUANTITY_EN : QUANTITY_ZH).exec(before);
  if (m === null) return 1;
  const word = (m[1] ?? '').toLowerCase();
  const n = /^\d+$/.test(word) ? Number(word) : (NUMBERS[word] ?? 1);
  return Math.max(1, Math.min(MAX_QUANTITY, n));
}

const EN_TITLE_CONNECTORS = new Set([
  'of',
  'on',
  'and',
  'the',
  'for',
  'in',
  'along',
  'across',
  'between',
  'to',
  'against',
  'concerning',
  'regarding',
  // "… on Cybercrime or Other Malicious Cyber Activities": a choice inside the name.
  'or',
  "People's",
  'Republic',
]);
/**
 * Prepositions that continue a name only when a name-like phrase follows ("Cooperation in
 * Combating …", "… Institutions in Pakistan", "along the Mekong River"), not a venue or a time
 * ("in Beijing", "in March", "in the presence of").
 */
const INNER_CONNECTORS: ReadonlySet<string> = new Set(['in', 'along', 'across']);
const NAME_LIKE_AFTER_IN =
  /^\s+(?:(?:the\s+)?(?:Field|Fields|Area|Areas|Sphere|Spheres|Region|Mekong|Border|Borders|Fight|Struggle|Combat|Prevention|Suppression|Eradication)\b|(?!(?:Beijing|Nanjing|Chongqing|Kunming|Nanning|Xining|Dongxing|Jiaxing|Haining|Taining)\b)[A-Z][a-z]+ing\b|(?:Persons|Human Beings|Narcotic Drugs|Drugs|Women and Children|Firearms|Cultural Property)\b)/;
const NOT_A_NAME_AFTER_IN =
  /^\s+(?:the\s+)?(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|presence|framework|capital|city|Beijing|Nanjing|Chongqing|Kunming|Nanning|Xining)\b/;
const LIST_IN_TITLE =
  /^,[ ]+(?=(?:[A-Z][\w'’-]*[ ]+){0,2}?[A-Z][\w'’-]*(?:,[ ]+(?:[A-Z][\w'’-]*[ ]*)+)*[ ]+and[ ]+[A-Z])/;

function continuesTitle(text: string, connector: string, at: number, title: string): boolean {
  const after = text.slice(at, at + 40);
  if (NOT_A_NAME_AFTER_IN.test(after)) return false;
  if (NAME_LIKE_AFTER_IN.test(after)) return true;
  // "along the China-Laos Railway", "across the Strait": a named route or place of the subject.
  if (connector !== 'in') return /^\s+(?:the\s+)?[A-Z]/.test(after);
  // "Chinese Personnel … in Pakistan": people and assets abroad are named with their country;
  // "Police Cooperation in Singapore" names where it was signed.
  const place = /^\s+(?:the\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})/.exec(after)?.[1];
  return place !== undefined && isCountryName(place) && CHINESE_ABROAD.test(title);
}

const CHINESE_ABROAD = /\b(?:Chinese|China's|Overseas)\b/;

/** The word right after the term that opens a title ("Memorandum of Understanding on …"). */
const EN_TITLE_OPENERS = /^(?:\s*\([A-Z]{2,6}\))?\s+(?:on|of|for|between|concerning|regarding)\s/;

/** A quoted or capitalised title around an English document term. */
function englishTitle(doc: PreparedText, term: Span, sentence: Sentence): Span | null {
  const text = doc.text;
  const open = Math.max(text.lastIndexOf('“', term.start), text.lastIndexOf('"', term.start - 1));
  if (open >= sentence.start && term.start - open < 160) {
    const closeCurly = text.indexOf('”', term.end);
    const closeStraight = text.indexOf('"', term.end);
    const close = [closeCurly, closeStraight].filter((i) => i !== -1 && i <= sentence.end);
    const end = close.length > 0 ? Math.min(...close) : -1;
    if (end !== -1 && end - open < 300) return { start: open + 1, end };
  }
  if (!/[A-Z]/.test(text[term.start] ?? '')) return null;
  if (!EN_TITLE_OPENERS.test(text.slice(term.end, term.end + 16))) return null;
  // "a Memorandum of Understanding between the X and the Y" describes one by its parties, unless
  // a capitalised subject follows them ("… between X and Y on Police Training Cooperation").
  const byParties =
    /\b(?:a|an)\s+$/i.test(text.slice(Math.max(0, term.start - 4), term.start)) &&
    /^(?:\s*\([A-Z]{2,6}\))?\s+between\s/.test(text.slice(term.end, term.end + 16));
  // Letters of any script: Côte d'Ivoire, São Tomé are one word each.
  const tokens = /[\p{L}'’-]+|\([A-Z]{2,6}\)|(?:19|20)\d{2}(?:[-–](?:19|20)?\d{2})?/uy;
  let end = term.end;
  let lastCapEnd = term.end;
  let extra = 0;
  let previous = '';
  for (;;) {
    // "… Chinese Personnel, Projects and Institutions …": a comma inside a list of the name.
    const list = LIST_IN_TITLE.exec(text.slice(end, end + 80));
    const space = list === null ? /^[ ]+/.exec(text.slice(end, end + 3)) : list;
    if (space === null) break;
    tokens.lastIndex = end + space[0].length;
    const w = tokens.exec(text);
    if (w === null) break;
    const word = w[0];
    if (/^\d/.test(word)) {
      // A year or period ends a name only after "for" / "of" (Action Plan … for 2025-2027).
      if (previous !== 'for' && previous !== 'of') break;
      lastCapEnd = tokens.lastIndex;
    } else if (/^[\p{Lu}(]|^[dl]['’]\p{Lu}/u.test(word)) {
      lastCapEnd = tokens.lastIndex;
      if (!word.startsWith('(')) extra += 1;
    } else if (!EN_TITLE_CONNECTORS.has(word)) break;
    // "… Illegal Immigrants on Tuesday", "… in March": a time after the name ends it.
    else if (NOT_A_NAME_AFTER_IN.test(text.slice(tokens.lastIndex, tokens.lastIndex + 40))) break;
    else if (
      INNER_CONNECTORS.has(word) &&
      !continuesTitle(text, word, tokens.lastIndex, text.slice(term.start, end))
    ) {
      break;
    }
    previous = word;
    end = tokens.lastIndex;
    if (end - term.start > 260) break;
  }
  if (byParties) {
    const name = text.slice(term.end, lastCapEnd);
    return /\sand\s.*\s(?:on|for|concerning|regarding)\s+(?:the\s+)?[A-Z]/.test(name)
      ? { start: term.start, end: lastCapEnd }
      : null;
  }
  if (extra >= 1) return { start: term.start, end: lastCapEnd };
  // Only "the Action Plan for …" is a name; "a Memorandum of Understanding on …" describes one.
  return /\bthe\s+$/i.test(text.slice(Math.max(0, term.start - 5), term.start))
    ? lowercaseTitle(text, term)
    : null;
}

/** Words that end a title written in lower case ("… joint police patrols for the period …"). */
const TITLE_STOP =
  /^(?:during|in|at|between|signed|with|today|yesterday|which|that|by|under|as|after|before|while|from)$/;

/** "Action Plan for the implementation of joint police patrols": a capitalised term, then words. */
function lowercaseTitle(text: string, term: Span): Span | null {
  const words = /[ ]+([\p{L}'’-]+)/uy;
  let end = term.end;
  let lastContent = term.end;
  let content = 0;
  words.lastIndex = term.end;
  for (let w = words.exec(text); w !== null; w = words.exec(text)) {
    const word = w[1] ?? '';
    if (TITLE_STOP.test(word)) break;
    if (word === 'for' && /^\s+the\s+period\b/.test(text.slice(words.lastIndex))) break;
    end = words.lastIndex;
    if (!EN_TITLE_CONNECTORS.has(word)) {
      content += 1;
      lastContent = end;
    }
    if (end - term.start > 160) return null;
  }
  return content >= 2 ? { start: term.start, end: lastContent } : null;
}

/** The phrase that says what a bare document is about (关于打击…的谅解备忘录, MoU on …). */
function describes(
  doc: PreparedText,
  term: Span,
  sentence: Sentence,
  english: boolean,
  floor: number,
  ceiling: number,
): Span {
  const text = doc.text;
  if (english) {
    // Up to the next document named in the sentence, the end of the clause, or 160 characters.
    const stop = /[.;]|\bwhich\b|\bwhile\b|\bfollowing\b|\bafter\b|\bduring\b/g;
    stop.lastIndex = term.end;
    const m = stop.exec(text);
    const end = Math.min(
      m === null ? sentence.end : m.index,
      ceiling,
      sentence.end,
      term.end + 160,
    );
    return { start: term.start, end: Math.max(term.end, end) };
  }
  // Back to the clause start, but not into the document named before this one.
  let start = term.start;
  const lo = Math.max(sentence.start, floor);
  while (start > lo && !/[，,。；、》\n了]/.test(text[start - 1] ?? '')) start -= 1;
  return { start: Math.max(start, term.start - 60), end: term.end };
}

/** Parts of 分别涉及A和B / one on A and one on B: what each of N counted documents is about. */
const SPLIT_ZH = /^[^。；]{0,8}?分别(?:涉及|是|为|关于|就|针对)?/;
const SPLIT_EN = /^[^.;]{0,12}?\bone\s+(?:on|about|for)\s+/i;

function splitParts(doc: PreparedText, term: Span, sentence: Span, qty: number): Span[] | null {
  const text = doc.text;
  const after = text.slice(term.end, sentence.end);
  const english = /[a-z]/i.test(text.slice(term.start, term.end));
  const head = (english ? SPLIT_EN : SPLIT_ZH).exec(after);
  if (head === null) return null;
  const from = term.end + head[0].length;
  const rest = text.slice(from, sentence.end);
  const end = from + (/[。；;.]|$/.exec(rest)?.index ?? rest.length);
  const separator = english
    ? /,?\s+and\s+(?:one|another|the other)\s+(?:on|about|for)\s+|,\s+(?:one|another)\s+(?:on|about|for)\s+/gi
    : /、|和|及|以及|与/g;
  const parts: Span[] = [];
  let cursor = from;
  for (const m of text.slice(from, end).matchAll(separator)) {
    parts.push({ start: cursor, end: from + (m.index ?? 0) });
    cursor = from + (m.index ?? 0) + m[0].length;
  }
  parts.push({ start: cursor, end });
  return parts.length === qty ? parts : null;
}

const GOVERNMENT_CUE =
  /\bintergovernmental\b|\binter-governmental\b|\bgovernments\b|\bgovernment-to-government\b|\bGovernment of\b|\bon behalf of (?:the|their) (?:two )?governments?\b/i;

/**
 * English "agreement" is 协定 (accord) between governments and 协议 (protocol) between ministries
 * or police forces; a page that says neither is coded as the ministries' protocol, the usual
 * level of what MPS signs itself.
 */
function englishAgreementType(doc: PreparedText, sentence: Sentence, term: string): DocType {
  if (!/^(?:cooperation\s+)?agreements?$/i.test(term)) return 'accord';
  let end = sentence.end;
  for (const s of doc.sentences.slice(sentence.index + 1, sentence.index + 3)) end = s.end;
  return GOVERNMENT_CUE.test(doc.text.slice(sentence.start, end)) ? 'accord' : 'protocol';
}

function mention(
  doc: PreparedText,
  type: DocType,
  term: DocTermMatch | null,
  titleZh: Span | null,
  titleEn: Span | null,
  describe: Span,
  witnessed: boolean,
  verb: Span,
): DocMention {
  const coded = term === null ? null : codedTermSpan(doc, term);
  return {
    verb,
    type,
    term: coded === null ? null : doc.raw.slice(coded.start, coded.end),
    termSpan: coded,
    titleZh: titleZh === null ? null : doc.raw.slice(titleZh.start, titleZh.end).trim(),
    titleZhSpan: titleZh,
    titleEn: titleEn === null ? null : doc.raw.slice(titleEn.start, titleEn.end).trim(),
    titleEnSpan: titleEn,
    describes: describe,
    witnessed,
  };
}

/** 根据…协议, 落实…备忘录: a term in a clause of its own that only refers to a document. */
function inBackgroundClause(
  doc: PreparedText,
  term: Span,
  sentence: Sentence,
  verbs: readonly Verb[],
): boolean {
  const clause = clauseAround(doc, term.start, sentence);
  if (verbs.some((v) => v.start >= clause.start && v.end <= clause.end)) return false;
  return BACKGROUND_BEFORE_ZH.test(clauseText(doc, { start: clause.start, end: term.start }));
}

/** The verb that governs a document at `pos`: the last one before it, else the first after. */
function governing(verbs: readonly Verb[], pos: number): Verb | undefined {
  return verbs.filter((v) => v.end <= pos).at(-1) ?? verbs.find((v) => v.start >= pos);
}

interface Bare {
  readonly m: DocMention;
  readonly qty: number;
  readonly generic: boolean;
  readonly verb: Verb | undefined;
  readonly parts: Span[] | null;
}

/** The documents a sentence names, one mention per document. */
export function documentsIn(
  doc: PreparedText,
  sentence: Sentence,
  verbs: readonly Verb[],
): DocMention[] {
  const text = doc.text;
  const titled: { m: DocMention; verb: Verb | undefined }[] = [];
  const titlesHere = doc.titles.filter((t) => t.start >= sentence.start && t.end <= sentence.end);
  for (const t of titlesHere) {
    const inner = { start: t.start + 1, end: t.end - 1 };
    if (TITLE_SKIP_BEFORE.test(text.slice(Math.max(sentence.start, t.start - 8), t.start))) {
      continue;
    }
    if (TITLE_SKIP_AFTER.test(text.slice(t.end, t.end + 8))) continue;
    const witnessed = witnessedAt(doc, sentence, verbs, t.start);
    const term = classifyTitle(doc, inner.start, inner.end);
    const verb = governing(verbs, t.start);
    const verbSpan = verb ?? sentence;
    if (term === undefined) {
      // A title without a document word counts only right after the verb (签署了《…》).
      const nearVerb = verbs.some((v) => /^[了的]?\s*$/.test(text.slice(v.end, t.start)));
      if (!nearVerb) continue;
      titled.push({
        m: mention(doc, 'other', null, inner, null, inner, witnessed, verbSpan),
        verb,
      });
      continue;
    }
    titled.push({
      m: mention(doc, term.value, term, inner, null, inner, witnessed, verbSpan),
      verb,
    });
  }
  // 海峡两岸金融合作协议 signed with a crime-fighting agreement is not a police agreement.
  if (titled.length > 1) {
    const titleOf = (t: { m: DocMention }): string =>
      t.m.titleZhSpan === null ? '' : text.slice(t.m.titleZhSpan.start, t.m.titleZhSpan.end);
    const police = titled.filter(
      (t) => !OTHER_FIELD.test(titleOf(t)) || POLICE_WORDS.test(titleOf(t)),
    );
    if (police.length > 0) titled.splice(0, titled.length, ...police);
  }
  const bare: Bare[] = [];
  const terms = findDocTerms(doc, sentence.start, sentence.end);
  for (const [index, term] of terms.entries()) {
    const ceiling = terms[index + 1]?.start ?? sentence.end;
    if (titlesHere.some((t) => t.start <= term.start && term.end <= t.end)) continue;
    const english = /[a-z]/i.test(term.term);
    const before = text.slice(Math.max(sentence.start, term.start - 30), term.start);
    if (english && EN_REFERENCE_BEFORE.test(before)) continue;
    if (!english && inBackgroundClause(doc, term, sentence, verbs)) continue;
    const generic = term.value === 'unspecified';
    if (UMBRELLA_BEFORE.test(before) && (titled.length > 0 || bare.length > 0)) continue;
    const titleEn = english ? englishTitle(doc, term, sentence) : null;
    const floor = Math.max(
      bare.at(-1)?.m.termSpan?.end ?? 0,
      ...titlesHere.filter((t) => t.end <= term.start).map((t) => t.end),
    );
    const describe = titleEn ?? describes(doc, term, sentence, english, floor, ceiling);
    const type = english ? englishType(doc, sentence, term) : term.value;
    const qty = quantityOf(doc, term, english);
    const verb = governing(verbs, term.start);
    bare.push({
      m: mention(
        doc,
        type,
        term,
        null,
        titleEn,
        describe,
        witnessedAt(doc, sentence, verbs, term.start),
        verb ?? sentence,
      ),
      qty,
      generic,
      verb,
      parts: qty > 1 ? splitParts(doc, term, sentence, qty) : null,
    });
  }
  const out: { m: DocMention; verb: Verb | undefined }[] = [...titled];
  for (const b of bare.filter((x) => !x.generic)) {
    // The same untitled kind twice for one verb is one document said twice (MoU … (MoU)),
    // unless a number says otherwise; under a verb of its own it is another document.
    const repeated = out.some((o) => o.m.type === b.m.type && o.verb === b.verb);
    if (repeated && b.qty === 1) continue;
    for (let i = 0; i < b.qty; i += 1) {
      const part = b.parts?.[i];
      out.push({ m: part === undefined ? b.m : { ...b.m, describes: part }, verb: b.verb });
    }
  }
  // 并就陆资赴台投资事宜发表共同声明 beside a crime-fighting agreement: another field's document.
  if (out.length > 1) {
    const otherField = (o: { m: DocMention }): boolean => {
      if (o.m.titleZhSpan !== null || o.m.titleEnSpan !== null) return false;
      const words = text.slice(o.m.describes.start, o.m.describes.end);
      return OTHER_FIELD.test(words) && !POLICE_WORDS.test(words);
    };
    if (out.some((o) => !otherField(o))) {
      const kept = out.filter((o) => !otherField(o));
      out.splice(0, out.length, ...kept);
    }
  }
  if (out.length === 0) {
    const generic = bare.find((b) => b.generic);
    if (generic !== undefined) {
      for (let i = 0; i < generic.qty; i += 1) out.push({ m: generic.m, verb: generic.verb });
    } else {
      // A signing ceremony with no document named still reports a signing.
      const ceremony = verbs.find((v) => CEREMONY.test(text.slice(v.end, v.end + 12)));
      if (ceremony !== undefined) {
        const m = mention(
          doc,
          'unspecified',
          null,
          null,
          null,
          ceremony,
          ceremony.witnessed,
          ceremony,
        );
        out.push({ m, verb: ceremony });
      }
    }
  }
  return out
    .filter((o) => o.verb === undefined || !o.verb.adoption || ADOPTABLE.has(o.m.type))
    .map((o) => o.m);
}

function englishType(doc: PreparedText, sentence: Sentence, term: DocTermMatch): DocType {
  return term.value === 'accord' ? englishAgreementType(doc, sentence, term.term) : term.value;
}

import type { CounterpartSignatory } from '../schemas/agreement.js';
import type { AgencyType, CounterpartRank } from '../schemas/codes.js';
import {
  AGENCIES,
  type Agency,
  agenciesIn,
  agencyAfter,
  agencyBefore,
  agencyInWords,
  asAgencyType,
  labelled,
  writtenForceName,
} from './agencies.js';
import {
  type CountryMention,
  findCountryMentions,
  findForumMentions,
  forumAgency,
  forumHeadAgency,
  type Parties,
} from './countries.js';
import {
  chooseCandidate,
  mpsLeaderBySurname,
  NAME_START,
  NAME_STOP,
  officialByName,
  previousSigners,
  REPRESENTATIVES,
  signersSpan,
} from './signatories.js';
import { followingSentences } from './signing.js';
import { type PreparedText, regionsOf, type Span, sentenceIndexAt } from './text.js';
import type { DocMention, SigningEvent } from './types.js';

export { agencySpans } from './agencies.js';

/**
 * The counterpart side of a signing: the foreign signatory and rank (minister or secretary:
 * ministerial; deputy: vice-ministerial), and the foreign agency with its type, labelled as the
 * agency styles itself where data/agency-names.json knows it.
 */

interface ForeignOfficial extends Span {
  /** Where the title is: what decides whether the official is in a window. */
  readonly at: number;
  /** The official's country; null when the page names only the ministry (the partner's own). */
  readonly code: string | null;
  readonly name: string | null;
  readonly rank: CounterpartRank;
  readonly agency: Agency | null;
  readonly named: boolean;
  /** The forum the official heads a body of (国际刑警组织秘书长), when no country is named. */
  readonly forum: string | null;
  /** False for a witness (在…见证下, witnessed the signing) or a name in "the directives of". */
  readonly signer: boolean;
  /** A head of state or government: not the signer of a ministry's document by default. */
  readonly head: boolean;
}

const ZH_FOREIGN_TITLE =
  /副厅长|厅长|第一副部长|副部长|部长助理|国务部长|部长|副大臣|大臣|副国务秘书|国务秘书|常务秘书|总警监|警察总监|警察总长|副总监|总监|副总长|总长|副局长|局长|副署长|署长|副主任|主任|总司令|副司令|司令|秘书长|秘书(?!处)|总检察长|副总理|总理|副首相|首相|主席|合作官|联络官|董事长/g;
const ZH_NAME = new RegExp(`^${NAME_START}([\\u4e00-\\u9fa5·•‧-]{2,12}?)${NAME_STOP}`);
/**
 * A transliterated name of several parts (阿卜杜拉耶·达乌达·迪亚洛, 阿卜杜拉·本·纳赛尔·本·哈利法·阿勒萨尼)
 * may run past twelve characters; only one with a middle dot does.
 */
const ZH_LONG_NAME = new RegExp(
  `^${NAME_START}(?:谢赫)?([\\u4e00-\\u9fa5]{1,8}?(?:[·•‧][\\u4e00-\\u9fa5]{1,8}?){2,6}?)${NAME_STOP}`,
);
/** Military and police ranks written after a name (梁三光大将): not part of the name. */
const RANK_SUFFIX = /(?:大将|上将|中将|少将|准将|将军|总警监|警监)$/;
const ZH_PARTY_CUT = /[，。；与和同及\n]/g;

const ZH_HEAD = /^(?:总理|首相|总统|主席)$/;
/**
 * Words between a country and a title that make the country the place visited or the title a
 * Chinese one (正在老挝进行正式访问的国务委员、公安部部长).
 */
const VISITED_BY = /访问的|访问期间的|出访的|国务委员|中共中央|政治局/;
/** 在…的见证下, 根据…的指示: the person named did not sign. */
const ZH_NOT_SIGNER_AFTER = /^[^，。；]{0,12}?(?:的)?(?:共同)?(?:见证下|指示|指导下|批示)/;

/** How far after a name a sentence that states the rank of the title is looked for. */
const STATED_RANK_CHARS = 160;

/**
 * A rank the page states for the title (南韩警察厅长为副部长级官员; "… Commissioner General, a post
 * of vice-ministerial rank"): it wins over the rank the title's words suggest.
 */
function statedRank(text: string, title: string, from: number): CounterpartRank | null {
  const ahead = text.slice(from, from + STATED_RANK_CHARS);
  for (const sentence of ahead.split(/[。；;\n]|\.\s/)) {
    if (!sentence.includes(title)) continue;
    const zh = /(?:为|是|系|属于?|享受)(?:正)?(副)?部(?:长)?级/.exec(sentence);
    if (zh !== null) return zh[1] === undefined ? 'ministerial' : 'vice_ministerial';
    const en =
      /\b(?:of\s+|at\s+|with\s+)?(?:a\s+|the\s+)?(vice[- ]|deputy[- ])?ministerial[- ](?:rank|level|post|position)\b|\brank\s+of\s+(?:a\s+)?(vice[- ]|deputy[- ])?minister\b/i.exec(
        sentence,
      );
    if (en !== null)
      return en[1] === undefined && en[2] === undefined ? 'ministerial' : 'vice_ministerial';
  }
  return null;
}

function zhRank(title: string): CounterpartRank {
  if (/副部长|副大臣|国务秘书/.test(title)) return 'vice_ministerial';
  if (/部长助理|常务秘书/.test(title)) return 'other';
  if (/部长|大臣|总理|首相/.test(title)) return 'ministerial';
  return 'other';
}

const EN_FOREIGN_TITLE =
  /\b((?:First\s+)?(?:Deputy|Vice|Assistant)[\s-]+(?:[A-Z][a-z]+\s+)?)?(Prime Minister|Cabinet Secretary|Permanent Secretary|Minister|Secretary of State|State Secretary|Secretary[- ]General|Secretary|Director[- ]General|Director|Commissioner[- ]General|Commissioner|Police Chief|[Cc]hief|Inspector[- ]General|Commander|Chairman|Head(?!\s+of\s+(?:State|Government)\b)|(?:Police\s+)?(?:Brigadier|Major|Lieutenant)\s+General)\b/g;
const EN_AGENCY_TAIL =
  /^(?:\s+(?:of|for)\s+(?:the\s+)?(?:Public Security|Internal Affairs|Interior and National Administration|Interior|Home Affairs|Homeland Security|Justice and Home Affairs|Justice and Public Security|Justice|Law and Order|National Security|State Security|Security|Defen[cs]e, National Security and Immigration|Defen[cs]e|Foreign Affairs|Immigration|Police, National Security and Correctional Services|Police)(?:\s+of\s+(?:the\s+)?[A-Z][\w'’]*(?:\s+(?:[A-Z][\w'’]*|of|the))*)?)?/;
/**
 * Honorifics and ranks written before a name; the name is coded without them (Malaysian Datuk
 * Seri and Tan Sri, police ranks such as IGP, a prince's style).
 */
const HONORIFIC = String.raw`(?:(?:Mr|Ms|Mrs|Dr|Prof|Hon|Gen|Lt|Maj|Col|Pol|Police|IGP|DIG|AIG|CP|H\.E)\.?\s+|Samdech(?:\s+(?:Krolahom|Techo|Kralahom))?\s+|Oknha\s+|Excellency\s+|(?:Datuk|Dato'?|Datin)(?:\s+(?:Seri|Sri))?\s+|Tan\s+Sri\s+|Tun\s+|Prince\s+|Princess\s+|Sheikh\s+|Prefect\s+|(?:Director|Commissioner|Inspector)[- ]General\s+|(?:Lieutenant|Major|Brigadier)\s+General\s+|General\s+|Colonel\s+)*`;
/** A name: capitalised words, with the particles of Arabic, Malay and European names between. */
const EN_NAME = new RegExp(
  String.raw`^,?\s+${HONORIFIC}((?:[A-Z][a-z]{0,2}\.\s+)?(?:[A-Z][\p{L}'’-]+)(?:\s+(?:(?:bin|binti|ibn|al|de|da|dos|del|dela|della|di|du|el|van|von|der)\s+)?[A-Z][\p{L}'’-]+){0,5})`,
  'u',
);
const EN_NOT_NAMES =
  /^(The|And|Of|On|In|At|For|With|Ministry|Minister|Police|Security|Affairs|Interior|Public|General|Chinese|China|National|Prof|Hon)\b/;
/** Ranks and titles written in front of a name (Director General Oscar Albayalde). */
const LEADING_RANKS =
  /^(?:(?:Police|Major|Lieutenant|Brigadier|Air|Vice|Deputy|Director|Commissioner|Inspector|Chief|Senior|Assistant|Acting|General|Colonel|Commander|Superintendent|Admiral|Captain|Minister|Secretary|Ambassador|Dr|Prof|Hon|Mr|Ms|Mrs|Madam|(?:Datuk|Dato'?)(?:\s+(?:Seri|Sri))?|Tan Sri|Tun|Samdech(?:\s+(?:Krolahom|Techo|Kralahom))?|Oknha|H\.E|Prince|Princess|Sheikh|Prefect|IGP|DIG|AIG|Pol|Gen|Lt|Maj|Col)\.?\s+)+/;
/** Words that name a ministry between a title and the name ("Secretary Interior, Yousaf …"). */
const EN_MINISTRY_WORDS =
  /^((?:\s+(?:Interior|Home|Affairs|Security|Police|Justice|Defen[cs]e|Immigration|Narcotics|Internal|Public))+),/;

/** "of the Main Directorate for Drug Control of the Russian Interior Ministry Andrey …". */
const EN_OF_RUN =
  /^\s+(?:of|for)\s+(?:the\s+)?(?:[A-Z][\w'’.-]*|\([A-Z]{2,6}\))(?:\s+(?:[A-Z][\w'’.-]*|of|the|for|\([A-Z]{2,6}\)|and(?=\s+(?:[A-Z]{2,}\b|(?:Public|Home|National|Internal|Border|Immigration|Correctional|Constitutional|Peace|Order|Administration|Security|Justice|Investigation|Migration)\b))))*/;

/**
 * The words after a title that name its body (… of Internal Affairs of the Russian Federation,
 * … of the Investigations Police of Chile (PDI)): up to the last agency, country or acronym of
 * the run of capitalised words, so that a name right after them stays a name.
 */
function agencyTail(doc: PreparedText, titleStart: number, end: number): string {
  const tail = agencyTailRun(doc, titleStart, end);
  // "Minister of Police, Prisons and Corrections Services, Hon. …": the portfolios a ministry's
  // name lists belong to it, the name comes after them.
  const list = PORTFOLIO_LIST.exec(doc.text.slice(end + tail.length, end + tail.length + 120));
  return list === null ? tail : tail + list[0];
}

const PORTFOLIO =
  '(?:Police|Prisons?|Corrections?|Correctional|Services?|National|Security|Immigration|Border|Fire|Emergency|Disaster|Management|Justice|Home|Affairs|Internal|Public|Order|Safety|Civil|Defen[cs]e|Rehabilitation|Citizenship|Labour|Local|Government|Religious|Narcotics|Drug|Control|Administration|Coordination|Peace|Law)';
const PORTFOLIO_LIST = new RegExp(
  String.raw`^(?:,\s+${PORTFOLIO}(?:\s+${PORTFOLIO})*)*(?:,)?\s+and\s+${PORTFOLIO}(?:\s+${PORTFOLIO})*(?=\s*,)`,
);

/** "Ministry of Police" + ", Prisons and Corrections Services": the whole name of the ministry. */
function withPortfolios(text: string, hit: (Span & { readonly value: Agency }) | undefined) {
  if (hit === undefined) return undefined;
  const list = PORTFOLIO_LIST.exec(text.slice(hit.end, hit.end + 120));
  if (list === null || !/^Ministry of /.test(hit.value.name)) return hit.value;
  return { name: `${hit.value.name}${list[0]}`, type: hit.value.type };
}

function agencyTailRun(doc: PreparedText, titleStart: number, end: number): string {
  const text = doc.text;
  const run = EN_OF_RUN.exec(text.slice(end, end + 160))?.[0] ?? '';
  let cut = 0;
  if (run.length > 0) {
    // An agency that starts in the run may go on past it (… of Justice and Home Affairs).
    for (const a of AGENCIES.find(text, titleStart, end + run.length + 60)) {
      if (a.end > end && a.start < end + run.length) cut = Math.max(cut, a.end - end);
    }
    for (const c of findCountryMentions(doc, end, end + run.length)) {
      cut = Math.max(cut, c.end - end);
    }
    const acronym = /\s*\([A-Z]{2,6}\)/y;
    acronym.lastIndex = end + cut;
    if (cut > 0 && acronym.exec(text) !== null) cut = acronym.lastIndex - end;
  }
  // "of the General Police Department, Police Major General …": a run that a comma ends is the
  // body's whole name, though only its first words are a known agency.
  if (cut > 0 && cut < run.length && text[end + run.length] === ',') return run;
  if (cut > 0) return text.slice(end, end + cut);
  // Nothing known in the run: the listed ministries, which stop at the first unknown word.
  return EN_AGENCY_TAIL.exec(text.slice(end, end + 120))?.[0] ?? '';
}

/** The name without the ranks written in front of it; null when nothing of a name is left. */
function withoutRanks(name: string): string | null {
  const rest = name.replace(LEADING_RANKS, '');
  if (rest === name) return name;
  return /^[A-Z][\p{L}'’-]+\s+[A-Z]/u.test(rest) || /^[A-Z][\p{L}'’-]+-[A-Z]/u.test(rest)
    ? rest
    : null;
}

/** "… witnessed the signing", "the directives of Minister …": named, but not a signer. */
const EN_NOT_SIGNER_AFTER = /^[^.;]{0,40}?\bwitness(?:ed|es)\b/;
const EN_NOT_SIGNER_BEFORE =
  /\b(?:directives?|instructions?|orders|guidance|presence|auspices|invitation|witnessed by)\s+(?:of\s+)?(?:(?:[A-Z][\w'’-]*|of|the|for)\s+){0,6}$/;
/** "Anthony Veke, the Solomon Islands' Minister of …": the name before the title. */
const EN_NAME_BEFORE =
  /((?:[A-Z][\p{L}'’-]+)(?:\s+(?:[A-Z][\p{L}'’-]+|bin|al|de|da|dos)){1,3}),\s+(?:the\s+)?(?:[A-Z][\w'’ ]{0,40}?(?:'|’s|'s)\s+)?$/u;

/** Civil servants who head a ministry's staff, not its minister (Federal Secretary Interior). */
const CIVIL_SERVICE_SECRETARY =
  /\b(?:Federal|Principal|Chief|Additional|Joint|Special|Permanent)\s+(?:(?:Interior|Home|Security|Foreign|Law|Justice|Defen[cs]e)\s+)?$/;

function enRank(prefix: string | undefined, title: string, before = ''): CounterpartRank {
  if (/Secretary[- ]General|Permanent Secretary/i.test(title)) return 'other';
  if (/Cabinet Secretary/i.test(title)) return 'ministerial';
  if (/^Secretary$/i.test(title) && CIVIL_SERVICE_SECRETARY.test(before)) return 'other';
  if (prefix !== undefined && prefix.length > 0) {
    if (/Assistant/.test(prefix)) return 'other';
    // A deputy prime minister is a minister of government rank.
    if (/Prime\s+Minister/i.test(`${prefix}${title}`)) return 'ministerial';
    return /Minister|Secretary/i.test(title) ? 'vice_ministerial' : 'other';
  }
  if (/State Secretary/i.test(title)) return 'vice_ministerial';
  if (/Minister|Secretary/i.test(title)) return 'ministerial';
  return 'other';
}

/** The people of a clause that only sets the scene (访问期间, during … visit) did not sign. */
const VISIT_CLAUSE = /访问期间|访华期间|来华期间|出访期间|\bduring\b[^,.;]{0,80}\bvisit\b/i;
/** A segment that names the Chinese side: its minister is not the counterpart. */
const CHINESE_SIDE = /中国|中方|我国|公安部|驻[\u4e00-\u9fa5]{1,8}大使/;

function inVisitClause(doc: PreparedText, pos: number): boolean {
  const text = doc.text;
  // "… during Prime Minister X's visit to China": the visitor, not a signer.
  if (
    /\bduring\s+(?:the\s+)?[^,.;]{0,40}$/i.test(text.slice(Math.max(0, pos - 60), pos)) &&
    /^[^,.;]{0,60}\bvisit\b/i.test(text.slice(pos, pos + 80))
  ) {
    return true;
  }
  let start = pos;
  while (start > 0 && start > pos - 120 && !/[，,。；;\n]/.test(text[start - 1] ?? '')) start -= 1;
  let end = pos;
  while (end < text.length && end < pos + 120 && !/[，,。；;\n]/.test(text[end] ?? '')) end += 1;
  const clause = text.slice(start, end);
  return VISIT_CLAUSE.test(clause) && !/签|sign/i.test(clause);
}

function zhOfficials(
  doc: PreparedText,
  from: number,
  to: number,
  countriesIn: readonly CountryMention[],
): ForeignOfficial[] {
  const text = doc.text;
  const out: ForeignOfficial[] = [];
  ZH_FOREIGN_TITLE.lastIndex = from;
  for (
    let m = ZH_FOREIGN_TITLE.exec(text);
    m !== null && m.index < to;
    m = ZH_FOREIGN_TITLE.exec(text)
  ) {
    const end = m.index + m[0].length;
    const next = text[end] ?? '';
    // 副首相兼内政大臣: the last word of a compound title ranks it; 部长级会议 is no title.
    if (
      next === '兼' ||
      next === '、' ||
      /^(?:级|职|们|(?:第?[一二三四五六七八九十首\d]+(?:次|届))?(?:会议|会晤|会))/.test(
        text.slice(end, end + 8),
      )
    ) {
      continue;
    }
    const segStartBase = Math.max(0, from - 40, m.index - 30);
    let cut = -1;
    // 埃及 and 及 (and), 移民与人口部 and 与 (with): a cut character inside a name is no cut.
    const names: Span[] = [
      ...findCountryMentions(doc, segStartBase, m.index),
      ...agenciesIn(doc, segStartBase, m.index + 1),
      ...findForumMentions(doc, segStartBase, m.index),
    ];
    for (const c of text.slice(segStartBase, m.index).matchAll(ZH_PARTY_CUT)) {
      const at = segStartBase + (c.index ?? 0);
      if (!names.some((n) => n.start <= at && at < n.end)) cut = c.index ?? cut;
    }
    const segStart = segStartBase + cut + 1;
    if (inVisitClause(doc, m.index)) continue;
    let country = countriesIn.filter((c) => c.start >= segStart && c.end <= m.index).at(-1);
    // 正在老挝进行正式访问的国务委员、公安部部长: the country visited, not the official's.
    if (country !== undefined && VISITED_BY.test(text.slice(country.end, m.index))) {
      country = undefined;
    }
    const code = country?.codes[0] ?? null;
    let agencyOnly: Agency | null = null;
    // 国际刑警组织秘书长诺布尔, 澜湄中心秘书长…: the head of a forum's own body.
    const forum =
      country === undefined ? (findForumMentions(doc, segStart, m.index).at(-1) ?? null) : null;
    if (country === undefined && forum === null) {
      // 所警察和国家安全部长韦克, 安全部长塞拉雅: the partner's ministry named without the country.
      const agency = AGENCIES.find(text, segStart, end).at(-1);
      if (
        agency === undefined ||
        agency.end < m.index ||
        agency.value.type === 'public_security' ||
        CHINESE_SIDE.test(text.slice(segStart, m.index))
      ) {
        continue;
      }
      agencyOnly = agency.value;
    }
    const long = ZH_LONG_NAME.exec(text.slice(end, end + 40));
    let name = ZH_NAME.exec(text.slice(end, end + 16))?.[1] ?? long?.[1] ?? null;
    // 谢赫 (Sheikh) before a long name is a style, not a part of it.
    const nameFrom = long !== null && name === long[1] ? end + long[0].length - name.length : end;
    if (name !== null) name = name.replace(RANK_SUFFIX, '');
    if (name !== null && name.length < 2) name = null;
    // An MPS leader of the officials table is the Chinese side, whatever country is near.
    // (张新枫 heading a forum's body after leaving MPS is that body's head.)
    if (name !== null && forum === null && officialByName(name) !== undefined) continue;
    const titleWords = text.slice(country?.end ?? forum?.end ?? segStart, end);
    const nameEnd = name === null ? end : nameFrom + name.length;
    out.push({
      at: m.index,
      start: country?.start ?? forum?.start ?? segStart,
      end: nameEnd,
      code,
      // Names are quoted as written (Traditional stays Traditional).
      name: name === null ? null : doc.raw.slice(nameFrom, nameFrom + name.length),
      rank: statedRank(text, m[0], nameEnd) ?? zhRank(m[0]),
      agency:
        forum !== null
          ? null
          : (agencyOnly ??
            (country === undefined ? null : agencyAfter(doc, country, end)) ??
            agencyInWords(titleWords)),
      named: name !== null,
      forum: forum?.id ?? null,
      signer: !ZH_NOT_SIGNER_AFTER.test(text.slice(nameEnd, nameEnd + 24)),
      head: ZH_HEAD.test(m[0]),
    });
  }
  return out;
}

function enOfficials(
  doc: PreparedText,
  from: number,
  to: number,
  countriesIn: readonly CountryMention[],
): ForeignOfficial[] {
  const text = doc.text;
  const out: ForeignOfficial[] = [];
  EN_FOREIGN_TITLE.lastIndex = from;
  for (
    let m = EN_FOREIGN_TITLE.exec(text);
    m !== null && m.index < to;
    m = EN_FOREIGN_TITLE.exec(text)
  ) {
    const end = m.index + m[0].length;
    const before = text.slice(Math.max(0, from - 40, m.index - 60), m.index);
    const cut = Math.max(
      before.lastIndexOf('. '),
      before.lastIndexOf('\n'),
      before.lastIndexOf(';'),
      before.lastIndexOf(', '),
      before.lastIndexOf(' and '),
      before.lastIndexOf(' with '),
      // "Beijing, China - The Minister of …": a dateline ends before the title.
      before.lastIndexOf(' - ') + 2,
      before.lastIndexOf(' – ') + 2,
    );
    const segStart = m.index - before.length + cut + 1;
    // Chinese officials are the other side ("Chinese Vice Minister …", "… of China").
    if (/Chinese|China/.test(text.slice(segStart, m.index))) continue;
    if (inVisitClause(doc, m.index)) continue;
    const tail = agencyTail(doc, m.index, end);
    const afterTail = text.slice(end + tail.length, end + tail.length + 40);
    if (
      /^\s+of\s+(?:the\s+)?(?:People's Republic of )?China/.test(afterTail) ||
      /\bChina\b/.test(tail)
    ) {
      continue;
    }
    const country = countriesIn.filter((c) => c.start >= segStart && c.end <= m.index).at(-1);
    // "Vice Minister of Public Security" with no foreign country before it is MPS's.
    if (country === undefined && /Public Security/.test(tail)) continue;
    // "Federal Secretary Interior, Yousaf Naseem Khokhar": the ministry, then the name.
    const ministryWords = EN_MINISTRY_WORDS.exec(
      text.slice(end + tail.length, end + tail.length + 60),
    );
    const nameFrom =
      end + tail.length + (ministryWords === null ? 0 : (ministryWords[1]?.length ?? 0));
    const nameMatch = EN_NAME.exec(text.slice(nameFrom, nameFrom + 70));
    let name = nameMatch?.[1] ?? null;
    if (name !== null) name = withoutRanks(name);
    if (name !== null && (officialByName(name) !== undefined || mpsLeaderBySurname(doc, name)))
      continue;
    if (name !== null && EN_NOT_NAMES.test(name)) name = null;
    let nameEnd = nameFrom + (name === null ? 0 : (nameMatch?.[0].length ?? 0));
    if (name === null) {
      // The name before the title: "Anthony Veke, the Solomon Islands' Minister of Police".
      const back = EN_NAME_BEFORE.exec(text.slice(Math.max(0, m.index - 90), m.index));
      const backName = back?.[1] === undefined ? null : withoutRanks(back[1]);
      if (backName !== null && officialByName(backName) === undefined) {
        name = backName;
        nameEnd = end + tail.length;
      }
    }
    const code = country?.codes[0] ?? null;
    const forum =
      country === undefined ? (findForumMentions(doc, segStart, m.index).at(-1) ?? null) : null;
    if (country === undefined && name === null) continue;
    // The words before the title name the ministry ("Justice and Public Security Minister").
    const lead = text.slice(Math.max(0, from - 40, m.index - 50), m.index);
    const leadStart = Math.max(
      lead.lastIndexOf('. '),
      lead.lastIndexOf('; '),
      lead.lastIndexOf(' – '),
      lead.lastIndexOf(' -- '),
      lead.lastIndexOf(', '),
    );
    const words =
      country === undefined ? lead.slice(leadStart + 1) : text.slice(country.end, m.index);
    const titleBefore = text.slice(Math.max(0, m.index - 24), m.index);
    out.push({
      at: m.index,
      start: country?.start ?? forum?.start ?? m.index,
      end: nameEnd,
      code,
      name: name === null ? null : name.trim(),
      rank: statedRank(text, m[2] ?? m[0], nameEnd) ?? enRank(m[1], m[2] ?? '', titleBefore),
      agency:
        forum !== null
          ? null
          : ((country === undefined ? null : agencyAfter(doc, country, end)) ??
            // "Head of the Main Directorate for Drug Control of the Interior Ministry": the body
            // the title names first is the signer's own, the ones after it its parents.
            withPortfolios(text, AGENCIES.find(text, m.index, end + tail.length)[0]) ??
            agencyInWords(`${words.trim()} ${m[0]}${tail}`)),
      named: name !== null,
      forum: forum?.id ?? null,
      signer:
        !EN_NOT_SIGNER_AFTER.test(text.slice(nameEnd, nameEnd + 60)) &&
        !EN_NOT_SIGNER_BEFORE.test(text.slice(Math.max(0, m.index - 60), m.index)),
      head: m[2] === 'Prime Minister' && (m[1] ?? '') === '',
    });
  }
  return out;
}

const officialsCache = new WeakMap<PreparedText, Map<string, ForeignOfficial[]>>();

/**
 * Foreign officials whose title lies in `[from, to)`, for these partners. The page is scanned
 * once per set of partners (a page reports one or two meetings), then read by window.
 */
function findForeignOfficials(
  doc: PreparedText,
  from: number,
  to: number,
  partyCodes: ReadonlySet<string>,
  partyForum: string | null = null,
): ForeignOfficial[] {
  let cache = officialsCache.get(doc);
  if (cache === undefined) {
    cache = new Map();
    officialsCache.set(doc, cache);
  }
  let all = cache.get('');
  if (all === undefined) {
    all = scanForeignOfficials(doc);
    cache.set('', all);
  }
  // A foreign government's own release names its minister without the country (one partner).
  const single = partyCodes.size === 1 ? [...partyCodes][0] : undefined;
  const out: ForeignOfficial[] = [];
  for (const o of all) {
    if (o.at < from || o.at >= to) continue;
    if (o.forum !== null) {
      // Only a named head of the forum's body signs for it (各成员国部长 are no one person).
      if (partyCodes.size === 0 && o.forum === partyForum && o.named) out.push(o);
    } else if (o.code === null) {
      if (single !== undefined) out.push({ ...o, code: single });
    } else if (partyCodes.has(o.code)) out.push(o);
    // A forum alone: one member state's minister (巴基斯坦…部长或其代表出席) does not sign for it.
  }
  return out;
}

function scanForeignOfficials(doc: PreparedText): ForeignOfficial[] {
  return regionsOf(doc)
    .flatMap((r) => {
      const countriesIn = findCountryMentions(doc, r.start, r.end).filter((c) => c.strength > 0);
      return [
        ...zhOfficials(doc, r.start, r.end, countriesIn),
        ...enOfficials(doc, r.start, r.end, countriesIn),
      ];
    })
    .sort((a, b) => a.start - b.start);
}

export interface CounterpartSide {
  readonly signatory: CounterpartSignatory;
  readonly signatorySpan: Span | null;
  readonly agency: string | null;
  readonly agencyType: AgencyType;
  readonly agencySpan: Span | null;
}

const RANK_ORDER: Readonly<Record<CounterpartRank, number>> = {
  ministerial: 3,
  vice_ministerial: 2,
  other: 1,
  unknown: 0,
};

function attachedAgency(
  doc: PreparedText,
  from: number,
  to: number,
  partyCodes: ReadonlySet<string>,
): { agency: Agency; code: string; span: Span } | null {
  for (const c of findCountryMentions(doc, from, to)) {
    const code = c.codes[0];
    if (code === undefined || c.strength <= 0 || !partyCodes.has(code)) continue;
    const agency = agencyAfter(doc, c, to) ?? agencyBefore(doc, c, from);
    if (agency !== null) return { agency, code, span: c };
  }
  return null;
}

/** A foreign agency named without its country (the partner's own release names it so). */
function unattachedAgency(
  doc: PreparedText,
  span: Span,
  code: string,
): { agency: Agency; code: string; span: Span } | null {
  for (const m of AGENCIES.find(doc.text, span.start, span.end)) {
    if (m.value.type === 'public_security') continue;
    // "a Memorandum of Understanding on Police Cooperation": the subject, not a party.
    if (/^\s+(?:co-?operation|training|capacity)\b/i.test(doc.text.slice(m.end, m.end + 16))) {
      continue;
    }
    if (
      /China|Chinese|中国|中方/.test(doc.text.slice(Math.max(span.start, m.start - 16), m.start))
    ) {
      continue;
    }
    return { agency: m.value, code, span: m };
  }
  return null;
}

/** Where `part` of a name stands as a word of `text` (a Latin part needs word boundaries). */
function nameAt(text: string, part: string): number {
  if (/^[A-Z][\p{L}'’-]{2,}$/u.test(part)) {
    const m = new RegExp(`(?<![\\p{L}])${part}(?![\\p{L}])`, 'u').exec(text);
    return m === null ? -1 : m.index;
  }
  return /^[\u4e00-\u9fa5]{2,}$/.test(part) ? text.indexOf(part) : -1;
}

/** 桑塔纳部长: a counterpart named earlier, now named again with a bare title in the sentence. */
function renamed(
  doc: PreparedText,
  sentence: Span,
  known: readonly ForeignOfficial[],
): ForeignOfficial[] {
  const text = doc.text.slice(sentence.start, sentence.end);
  const out: ForeignOfficial[] = [];
  for (const o of known) {
    if (o.name === null) continue;
    let at = text.indexOf(o.name);
    let length = o.name.length;
    if (at === -1) {
      // General Masemola, 姆维恩布: one part of the name (the full one is kept, see fullest).
      for (const part of o.name
        .split(/[·•‧・]|\s+/)
        .slice(1)
        .reverse()) {
        const found = nameAt(text, part);
        if (found !== -1) {
          at = found;
          length = part.length;
          break;
        }
      }
    }
    if (at === -1) continue;
    out.push({ ...o, start: sentence.start + at, end: sentence.start + at + length });
  }
  return out;
}

/** 姆维恩布 of 杰克·姆维恩布, Masemola of Fannie Masemola: one part of the full name, written alone. */
function partOfName(short: string, full: string): boolean {
  const parts = full.split(/[·•‧・]|\s+/);
  return parts.length > 1 && parts.includes(short);
}

/** 维莱 in the headline, 维莱·拉坎丰 in the body: the fullest form of the same name. */
function fullest(official: ForeignOfficial, all: readonly ForeignOfficial[]): ForeignOfficial {
  const name = official.name;
  if (name === null) return official;
  const longer = all.find(
    (o) =>
      // The first mention may name the ministry without its country (the Minister of Police, …).
      (o.code === official.code || o.code === null || official.code === null) &&
      o.name !== null &&
      o.name.length > name.length &&
      (o.name.startsWith(name) || partOfName(name, o.name)),
  );
  if (longer === undefined) return official;
  // "Minister Veke" after "the Minister of Police, …, Hon. Anthony Veke": his ministry too.
  return {
    ...official,
    name: longer.name,
    agency: official.agency ?? longer.agency,
    code: official.code ?? longer.code,
  };
}

/** A sentence after the signing that reports another meeting (会前，…会见了…; He also met …). */
const OTHER_MEETING = /会见|会晤|会谈|拜会|\bmet\b|\bmeets\b|held talks|called on/;

function inOtherMeeting(doc: PreparedText, o: ForeignOfficial): boolean {
  const sentence = doc.sentences[sentenceIndexAt(doc, o.at)];
  if (sentence === undefined) return false;
  const text = doc.text.slice(sentence.start, sentence.end);
  return OTHER_MEETING.test(text) && !/签|sign/i.test(text);
}

/** 两国公安部出入境管理局局长签署: the heads of the same body of both sides, unnamed. */
const BOTH_HEADS =
  /(?:两国|双方)([^，。；]{0,24}?)(?:的)?(副?(?:局长|司长|署长|主任|总监|厅长))(?:共同|分别)?(?:代表[^，。；]{0,12})?\s*$/;

/** 与各成员国公安内务部长共同签署, 东盟10国…的部长, the ministers of the four countries. */
const COLLECTIVE_ZH =
  /(?:各|与会各|成员国|各国|[\d两三四五六七八九十]+国)[^，。；与和同]{0,24}?(副部长|部长|大臣|副总理|总理)(?:们)?(?:共同|一道|一起)?$/;
const COLLECTIVE_EN =
  /\b(?:the\s+)?(?:[\w-]+\s+){0,3}?(deputy ministers|vice ministers|ministers)\b(?:\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:countries|states|nations|member states))?\s*$/i;

/**
 * The rank of several counterparts who signed together without one being named for all: a
 * collective title (各成员国…部长, the ministers of the four countries), or the named signers
 * of a multilateral document when they share a rank.
 */
function collectiveRank(
  doc: PreparedText,
  beforeVerb: Span,
  named: readonly ForeignOfficial[],
): CounterpartRank | null {
  const text = doc.text.slice(beforeVerb.start, beforeVerb.end).trim();
  const zh = COLLECTIVE_ZH.exec(text);
  if (zh !== null) return zhRank(zh[1] ?? '');
  const en = COLLECTIVE_EN.exec(text);
  if (en !== null) {
    return /deputy|vice/i.test(en[1] ?? '') ? 'vice_ministerial' : 'ministerial';
  }
  const codes = new Set(named.map((o) => o.code));
  if (codes.size < 2) return null;
  const ranks = new Set(named.map((o) => o.rank));
  const only = [...ranks][0];
  return ranks.size === 1 && only !== undefined && only !== 'unknown' ? only : null;
}

const GENERIC_POLICE = 'Police';
/** A description that names parties of its own (between X and Y, X与Y). */
const OWN_PARTIES = /\bbetween\b|[与和同]/;

const FORUM_HEAD = /^(?:总司长|司长|局长|主任|秘书长|总干事|主席)/;

function forumSide(
  doc: PreparedText,
  parties: Parties,
  signatory: CounterpartSignatory,
  official: Span | null,
): CounterpartSide | null {
  if (parties.forum === null || parties.countries.length > 0) return null;
  // A named head of the forum's body signed (ASEAN Secretary-General …): the body they head.
  const fa =
    forumAgency(parties.forum) ??
    (official !== null && signatory.name !== null ? forumHeadAgency(parties.forum) : null);
  if (fa !== null && fa !== undefined) {
    return {
      signatory,
      signatorySpan: official,
      agency: fa.name,
      agencyType: asAgencyType(fa.type),
      agencySpan: parties.forumMention,
    };
  }
  // 欧盟委员会内务总司: a body of the forum named right after it.
  const mention = parties.forumMention;
  if (mention === null) return null;
  const found = AGENCIES.find(doc.text, mention.end, mention.end + 12)[0];
  if (found === undefined || found.start - mention.end > 3) return null;
  // 欧盟委员会内务总司司长曼塞维西: the head of that body, named right after it.
  const head = FORUM_HEAD.exec(doc.text.slice(found.end, found.end + 24));
  const name =
    head === null
      ? null
      : (ZH_NAME.exec(doc.text.slice(found.end + (head[0].length ?? 0), found.end + 24))?.[1] ??
        null);
  const named = official === null && head !== null && name !== null;
  return {
    signatory: named ? { name, rank: zhRank(head[0]) } : signatory,
    signatorySpan: named
      ? { start: found.start, end: found.end + head[0].length + name.length }
      : official,
    agency: found.value.name,
    agencyType: found.value.type,
    agencySpan: found,
  };
}

export function resolveCounterpartSide(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention,
  parties: Parties,
): CounterpartSide {
  const codes = new Set(parties.countries);
  const forum = parties.countries.length === 0 ? parties.forum : null;
  const s = event.sentence;
  const ctx = event.context;
  const find = (span: Span | null): ForeignOfficial[] =>
    span === null ? [] : findForeignOfficials(doc, span.start, span.end, codes, forum);
  const inContext = [
    ...(doc.headline !== null && doc.headline.end <= ctx.start ? find(doc.headline) : []),
    ...find(ctx),
  ];
  const next = followingSentences(doc, event.sentence);
  const before = doc.text.slice(s.start, document.verb.start);
  // Who a "signed by" / 由…签署 phrase names; witnesses and people named in "the directives of"
  // are never signers.
  const signedBy = find(signersSpan(doc, event)).filter((o) => o.signer);
  const sentenceSigners = find(s).filter((o) => o.signer);
  let official: ForeignOfficial | null = null;
  let collective: CounterpartRank | null = null;
  if (document.witnessed) {
    official = signedBy[0] ?? null;
  } else if (parties.countries.length <= 1) {
    let inSentence = sentenceSigners;
    if (inSentence.length === 0) inSentence = renamed(doc, s, inContext);
    const following = find(next).filter((o) => o.signer && !inOtherMeeting(doc, o));
    const previous = previousSigners(doc, event);
    // 双方代表签署: unnamed representatives, not the principals of the meeting; a head of
    // government who came on the visit did not sign a ministry's document.
    official =
      inSentence.length === 0 && (REPRESENTATIVES.test(before) || BOTH_HEADS.test(before))
        ? null
        : chooseCandidate(
            {
              inSentence,
              signedBy,
              recent: find(previous).filter((o) => o.signer),
              inContext: inContext.filter((o) => o.signer && !o.head),
              following,
            },
            document.verb.start,
            (o) => RANK_ORDER[o.rank],
          );
    if (official !== null)
      official = fullest(official, [...inSentence, ...inContext, ...following]);
  }
  const bothHeads = BOTH_HEADS.exec(before);
  if (official === null && !document.witnessed) {
    collective =
      bothHeads === null
        ? collectiveRank(doc, { start: s.start, end: document.verb.start }, [
            ...sentenceSigners.filter((o) => o.at < document.verb.start),
            ...signedBy,
          ])
        : zhRank(bothHeads[2] ?? '');
  }
  const signatory: CounterpartSignatory =
    official === null
      ? { name: null, rank: collective ?? 'unknown' }
      : { name: official.name, rank: official.rank };

  const title = document.titleZhSpan ?? document.titleEnSpan;
  const single = codes.size === 1 ? [...codes][0] : undefined;
  // A title's parties come before its subject (…政府关于中国援助东帝汶警察培训项目的换文: the
  // governments, not the police the project trains).
  const about = title === null ? -1 : doc.text.slice(title.start, title.end).indexOf('关于');
  const fromTitle =
    title === null || codes.size === 0
      ? null
      : attachedAgency(doc, title.start, about > 0 ? title.start + about : title.end, codes);
  // "… a memorandum … between Cambodia's General Department of Immigration and China's …":
  // a bare document's own words name its parties.
  const own = document.describes;
  const fromDescription =
    title !== null ||
    codes.size === 0 ||
    own.start < document.verb.end ||
    !OWN_PARTIES.test(doc.text.slice(own.start, own.end))
      ? null
      : attachedAgency(doc, own.start, own.end, codes);
  const fromSentence = codes.size === 0 ? null : attachedAgency(doc, s.start, s.end, codes);
  const fromContext = codes.size === 0 ? null : attachedAgency(doc, ctx.start, ctx.end, codes);
  // The principal of the meeting: when others signed (witnessed), their ministry still signed.
  const principal = inContext.reduce<ForeignOfficial | null>(
    (best, o) =>
      o.agency !== null && (best === null || RANK_ORDER[o.rank] > RANK_ORDER[best.rank]) ? o : best,
    null,
  );
  const viaOfficial = (o: ForeignOfficial | null) =>
    o === null || o.agency === null
      ? null
      : { agency: o.agency, code: o.code ?? undefined, span: o as Span };
  // The title's parties (or those a bare document's own words name), then the signer's own title
  // (意大利内政部长…), then an agency named with the country elsewhere in the sentence or the
  // readout. Several partners: no single agency.
  const unattached = single === undefined ? null : unattachedAgency(doc, s, single);
  // A police rank only says "Police"; the force the sentence names says which.
  const bySigner = viaOfficial(official);
  const named = fromSentence ?? unattached;
  const signerAgency =
    bySigner !== null &&
    bySigner.agency.name === GENERIC_POLICE &&
    named !== null &&
    named.agency.type === 'national_police'
      ? { ...named, code: named.code ?? bySigner.code }
      : bySigner;
  // 两国公安部出入境管理局局长签署: the partner's body of the same name (its innermost one).
  const bothBody =
    bothHeads === null || single === undefined
      ? null
      : (AGENCIES.find(bothHeads[1] ?? '').at(-1)?.value ?? null);
  const fromBoth =
    bothBody === null || bothHeads === null
      ? null
      : {
          agency: bothBody,
          code: single,
          span: { start: s.start + bothHeads.index, end: document.verb.start },
        };
  const chosen: { agency: Agency; code: string | undefined; span: Span } | null =
    codes.size > 1
      ? null
      : (fromTitle ??
        fromDescription ??
        fromBoth ??
        signerAgency ??
        fromSentence ??
        fromContext ??
        viaOfficial(principal) ??
        unattached);
  if (chosen !== null) {
    // The force's own name as the sentence or the readout writes it with the country.
    let written: string | null = null;
    // (A Ministry of Police is the ministry, not the force: "the Tonga Police" is another body.)
    if (
      chosen.agency.type === 'national_police' &&
      !/^(?:Ministry|Department|Secretariat)\b/.test(chosen.agency.name) &&
      chosen.code !== undefined
    ) {
      for (const span of [s, ctx]) {
        for (const c of findCountryMentions(doc, span.start, span.end)) {
          if (c.codes[0] !== chosen.code) continue;
          written = writtenForceName(doc, c);
          if (written !== null) break;
        }
        if (written !== null) break;
      }
    }
    const agency = labelled(chosen.agency, chosen.code, written);
    return {
      signatory,
      signatorySpan: official,
      agency: agency.name,
      agencyType: agency.type,
      agencySpan: chosen.span,
    };
  }
  return (
    forumSide(doc, parties, signatory, official) ?? {
      signatory,
      signatorySpan: official,
      agency: null,
      agencyType: 'unknown',
      agencySpan: null,
    }
  );
}

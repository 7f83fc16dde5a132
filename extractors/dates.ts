import {
  isValidYmd,
  overlapsTitle,
  type PreparedText,
  type Sentence,
  type Span,
  type Ymd,
} from './text.js';

/**
 * Dates: every date expression in the relevant part of the page, then the one that dates a
 * signing. A bare 9月24日 takes its year from the page date (or the previous year when that
 * would put the signing more than a week after the page); weekdays and "today" resolve
 * against the dateline or the page date.
 */

export type DateKind = 'full' | 'md' | 'ym' | 'y' | 'd' | 'weekday' | 'relative' | 'vague';

export interface DateMention extends Span {
  readonly kind: DateKind;
  readonly y: number | null;
  readonly m: number | null;
  readonly d: number | null;
  /** 0 = Sunday … 6 = Saturday, for weekday mentions. */
  readonly weekday: number | null;
  /** Week shift for 上周 (-1) / 本周 (0); null for a plain weekday. */
  readonly week: number | null;
  /** Days relative to the reference date, for 今天 (0), 昨天 (-1) … */
  readonly offsetDays: number | null;
  /** Months relative to the reference date, for 上月 (-1) and 本月 (0); null for other kinds. */
  readonly months?: number | null;
  /** "since 2016", 2016年以来: a date that frames rather than dates an event. */
  readonly background: boolean;
}

export type DateSource =
  | 'sentence'
  | 'context'
  | 'weekday'
  | 'relative'
  | 'dateline'
  | 'published'
  | 'none';

export interface DateResolution {
  readonly value: string | null;
  readonly year: number | null;
  readonly source: DateSource;
  readonly span: Span | null;
}

/** Whether the date was written with its year (2017年4月, April 2017), not given one from the page. */
export function writesYear(date: DateResolution): boolean {
  const span = date.span;
  if (span === null || !('kind' in span)) return false;
  const m = span as DateMention;
  return m.y !== null && (m.kind === 'full' || m.kind === 'ym' || m.kind === 'y');
}

export interface DocDates {
  readonly mentions: readonly DateMention[];
  readonly dateline: { readonly ymd: Ymd; readonly span: Span } | null;
  /** What weekdays and "today" are resolved against: the dateline, else the page date. */
  readonly ref: Ymd | null;
}

/** How many days a bare month-day may lie after the page date before it means last year. */
const FUTURE_GRACE_DAYS = 7;
/** How far back from a signing sentence a date is still taken to date it. */
const BACKWARD_LIMIT_CHARS = 3000;

const CN_DIGITS: Readonly<Record<string, number>> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** Parses 24, 二十四, 十一, 十; and 二〇一六 digit by digit for years. */
function num(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  if (/^\d+$/.test(s)) return Number(s);
  if (s.length === 4 && !s.includes('十')) {
    let y = 0;
    for (const c of s) {
      const v = CN_DIGITS[c];
      if (v === undefined) return null;
      y = y * 10 + v;
    }
    return y;
  }
  const ten = s.indexOf('十');
  if (ten === -1) return CN_DIGITS[s] ?? null;
  const tens = ten === 0 ? 1 : (CN_DIGITS[s.slice(0, ten)] ?? null);
  const unitsPart = s.slice(ten + 1);
  const units = unitsPart === '' ? 0 : (CN_DIGITS[unitsPart] ?? null);
  return tens === null || units === null ? null : tens * 10 + units;
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

function monthOf(name: string | undefined): number | null {
  if (name === undefined) return null;
  return MONTHS[name.slice(0, 3).toLowerCase()] ?? null;
}

const WEEKDAYS_EN: Readonly<Record<string, number>> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};
const WEEKDAYS_ZH: Readonly<Record<string, number>> = {
  日: 0,
  天: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
};

const CNN = '[〇零一二三四五六七八九十]';
const MONTH_RE =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';

interface Rule {
  readonly re: RegExp;
  readonly build: (m: RegExpExecArray) => Omit<DateMention, 'start' | 'end' | 'background'> | null;
}

const plain = {
  weekday: null,
  week: null,
  offsetDays: null,
} as const;

// Most specific first: later rules skip text an earlier rule already took.
const RULES: readonly Rule[] = [
  {
    re: new RegExp(`\\b${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'g'),
    build: (m) => ({ kind: 'full', y: num(m[3]), m: monthOf(m[1]), d: num(m[2]), ...plain }),
  },
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE},?\\s+(\\d{4})\\b`, 'g'),
    build: (m) => ({ kind: 'full', y: num(m[3]), m: monthOf(m[2]), d: num(m[1]), ...plain }),
  },
  {
    re: /(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])/g,
    build: (m) => ({ kind: 'full', y: num(m[1]), m: num(m[2]), d: num(m[3]), ...plain }),
  },
  {
    re: new RegExp(
      `(\\d{4}|[〇零一二三四五六七八九]{4})\\s*年\\s*(\\d{1,2}|${CNN}{1,3})\\s*月(?:\\s*(\\d{1,2}|${CNN}{1,3})\\s*[日号])?`,
      'g',
    ),
    build: (m) => ({
      kind: m[3] === undefined ? 'ym' : 'full',
      y: num(m[1]),
      m: num(m[2]),
      d: num(m[3]),
      ...plain,
    }),
  },
  {
    re: new RegExp(
      `(?<![\\d年])(\\d{1,2}|${CNN}{1,3})\\s*月\\s*(\\d{1,2}|${CNN}{1,3})\\s*[日号]`,
      'g',
    ),
    build: (m) => ({ kind: 'md', y: null, m: num(m[1]), d: num(m[2]), ...plain }),
  },
  {
    re: new RegExp(`\\b${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?!,?\\s+\\d{4})`, 'g'),
    build: (m) => ({ kind: 'md', y: null, m: monthOf(m[1]), d: num(m[2]), ...plain }),
  },
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}(?!,?\\s+\\d{4})`, 'g'),
    build: (m) => ({ kind: 'md', y: null, m: monthOf(m[2]), d: num(m[1]), ...plain }),
  },
  {
    re: new RegExp(`\\b${MONTH_RE},?\\s+(\\d{4})\\b`, 'g'),
    build: (m) => ({ kind: 'ym', y: num(m[2]), m: monthOf(m[1]), d: null, ...plain }),
  },
  {
    re: new RegExp(`(\\d{4})\\s*年(?!\\s*(?:\\d{1,2}|${CNN}{1,3})\\s*月)(?!代|度|级|期)`, 'g'),
    build: (m) => ({ kind: 'y', y: num(m[1]), m: null, d: null, ...plain }),
  },
  {
    re: /\b(?:in|during|of)\s+(\d{4})\b/g,
    build: (m) => ({ kind: 'y', y: num(m[1]), m: null, d: null, ...plain }),
  },
  {
    re: /(?<![\d月〇零一二三四五六七八九十至到—~-])(\d{1,2})\s*日(?=[，,上中下晚凌早午在于电讯\s签访出会举抵与同赴起分代共宣发表晤见举率]|至)/g,
    build: (m) => ({ kind: 'd', y: null, m: null, d: num(m[1]), ...plain }),
  },
  {
    // 四日, 二十一日 in newspapers that write the day in Chinese numerals (【新华社阿布扎比四日电】).
    re: /(?<![\d月〇零一二三四五六七八九十至到—~\-星期周礼拜初])([一二三四五六七八九十]{1,3})日(?=[，,上中下晚凌早午在于电讯签访出会举抵与同赴起分代共宣发表晤见举率]|至)/g,
    build: (m) => {
      const d = num(m[1]);
      return d === null || d < 1 || d > 31 ? null : { kind: 'd', y: null, m: null, d, ...plain };
    },
  },
  {
    re: /\b(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday)\b/g,
    build: (m) => ({
      kind: 'weekday',
      y: null,
      m: null,
      d: null,
      weekday: WEEKDAYS_EN[(m[1] ?? '').toLowerCase()] ?? null,
      week: null,
      offsetDays: null,
    }),
  },
  {
    re: /(上|本|这)?(?:周|星期|礼拜)([一二三四五六日天])(?![年期])/g,
    build: (m) => ({
      kind: 'weekday',
      y: null,
      m: null,
      d: null,
      weekday: WEEKDAYS_ZH[m[2] ?? ''] ?? null,
      week: m[1] === '上' ? -1 : m[1] === undefined ? null : 0,
      offsetDays: null,
    }),
  },
  {
    re: /今天|今日|昨天|昨日|前天|(?<!日)前日(?!前)|\b[Tt]oday\b|\b[Yy]esterday\b/g,
    build: (m) => ({
      kind: 'relative',
      y: null,
      m: null,
      d: null,
      weekday: null,
      week: null,
      offsetDays: /昨|yesterday/i.test(m[0]) ? -1 : m[0] === '前天' || m[0] === '前日' ? -2 : 0,
    }),
  },
  {
    re: /近日|日前|近期|\b[Rr]ecently\b/g,
    build: () => ({ kind: 'vague', y: null, m: null, d: null, ...plain }),
  },
  {
    re: /上月|上个月|本月|这个月|\b[Ll]ast month\b|\b[Ee]arlier this month\b|\b[Tt]his month\b/g,
    build: (m) => ({
      kind: 'vague',
      y: null,
      m: null,
      d: null,
      ...plain,
      months: /上|last/i.test(m[0]) ? -1 : 0,
    }),
  },
];

const BACKGROUND_AFTER = /^\s*(以来|起|至今|前|之前|以前|年底|年初|底|初|开始)/;
const BACKGROUND_BEFORE = /\b(since|until|before|by)\s+(the\s+end\s+of\s+)?$/i;

function valid(m: Omit<DateMention, 'start' | 'end' | 'background'>): boolean {
  if (m.y !== null && (m.y < 1949 || m.y > 2100)) return false;
  if (m.m !== null && (m.m < 1 || m.m > 12)) return false;
  if (m.d !== null && (m.d < 1 || m.d > 31)) return false;
  if (m.kind === 'weekday' && m.weekday === null) return false;
  return (m.kind !== 'full' && m.kind !== 'md') || (m.m !== null && m.d !== null);
}

/** Every date expression in `[from, to)`, in text order. */
export function findDateMentions(doc: PreparedText, from: number, to: number): DateMention[] {
  const text = doc.text;
  const taken: Span[] = [];
  const out: DateMention[] = [];
  const overlaps = (s: number, e: number): boolean => taken.some((t) => t.start < e && s < t.end);
  for (const rule of RULES) {
    rule.re.lastIndex = from;
    for (let m = rule.re.exec(text); m !== null && m.index < to; m = rule.re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      // Dates inside 《…》 name a plan's period (2019—2021年), not when it was signed.
      if (end > to || overlaps(start, end) || overlapsTitle(doc, start, end)) continue;
      const built = rule.build(m);
      if (built === null || !valid(built)) continue;
      taken.push({ start, end });
      out.push({
        ...built,
        start,
        end,
        background:
          BACKGROUND_AFTER.test(text.slice(end, end + 4)) ||
          BACKGROUND_BEFORE.test(text.slice(Math.max(0, start - 24), start)),
      });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

const DATELINE_EN = new RegExp(
  `^[ \\t]*[A-Z][A-Za-z .'’-]{1,40},\\s*${MONTH_RE}\\s+(\\d{1,2})(?:,?\\s*(\\d{4}))?\\s*(?:\\(|--|—|–|-)`,
  'm',
);
/** "Islamabad, 25 August 2021: …", "NAIROBI, 12 March 2024 - …": the day first. */
const DATELINE_EN_DAY_FIRST = new RegExp(
  `^[ \\t]*[A-Z][A-Za-z .'’-]{1,40},\\s*(\\d{1,2})\\s+${MONTH_RE},?\\s*(\\d{4})?\\s*(?:\\(|--|—|–|-|:)`,
  'm',
);
const DATELINE_ZH =
  /(?:新华社|中新社|中新网|人民网|新华网|央视网|央视新闻|中国新闻网|国际在线|光明网|环球网|法治日报|人民公安报|越通社|本报|记者)[^\n。]{0,24}?(\d{1,2})月(\d{1,2})日(?:电|讯)/;
/** Central News Agency and other papers date by the day alone: （中央社记者…台北24日电）. */
const DATELINE_DAY_ZH = /(?:中央社|记者|专电|本报)[^\n。）)]{0,24}?(\d{1,2})日(?:专)?电/;
/**
 * A release's own date line near the top: "Belgrade, 8 May 2024", "Nairobi, Monday May 20,
 * 2024", "MHA Press Release, 9 September 2019", "2019/12/31", "Updated: 2023-11-29 07:12",
 * "Government of Montenegro, Ministry of Interior - 26 November 2019" (a ministry's long source line).
 */
const DATE_LINE = new RegExp(
  `^[^\\n]{0,96}?(?:(\\d{1,2})\\s+${MONTH_RE},?\\s+(\\d{4})|${MONTH_RE}\\s+(\\d{1,2}),?\\s+(\\d{4})|(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2}))[^\\n]{0,24}$`,
  'm',
);
const DATELINE_SCAN_CHARS = 800;
const DATE_LINE_SCAN_LINES = 4;
/** A date line further than this from the page date is something else (a law's date). */
const DATE_LINE_MAX_DAYS = 3;
function toDate(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d);
}

function fromDate(ms: number): Ymd {
  const date = new Date(ms);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

const DAY_MS = 86_400_000;

function addDays(ymd: Ymd, days: number): Ymd {
  return fromDate(toDate(ymd.y, ymd.m, ymd.d) + days * DAY_MS);
}

/** The year of a month-day: the reference date's, or the year before when that is too late. */
function yearFor(m: number, d: number, ref: Ymd | null, fallback: number | null): number | null {
  if (ref === null) return fallback;
  const ahead = (toDate(ref.y, m, d) - toDate(ref.y, ref.m, ref.d)) / DAY_MS;
  return ahead > FUTURE_GRACE_DAYS ? ref.y - 1 : ref.y;
}

function firstYearInText(mentions: readonly DateMention[], before: number): number | null {
  let found: number | null = null;
  for (const m of mentions) {
    if (m.y === null || m.background) continue;
    if (m.start < before) found = m.y;
    else return found ?? m.y;
  }
  return found;
}

function dayOnlyDate(d: number, published: Ymd | null): Ymd | null {
  if (published === null) return null;
  // The day before the page's day is this month; a larger day is last month (31日 on 9-01).
  const back = d > published.d ? -1 : 0;
  const month = new Date(Date.UTC(published.y, published.m - 1 + back, 1));
  const ymd = { y: month.getUTCFullYear(), m: month.getUTCMonth() + 1, d };
  return isValidYmd(ymd.y, ymd.m, ymd.d) ? ymd : null;
}

function dateLine(doc: PreparedText, published: Ymd | null): DocDates['dateline'] {
  let offset = 0;
  const lines = doc.text.split('\n', DATE_LINE_SCAN_LINES + 1).slice(0, DATE_LINE_SCAN_LINES);
  for (const line of lines) {
    const m = DATE_LINE.exec(line);
    if (m !== null) {
      const y = num(m[3] ?? m[6] ?? m[7]);
      const mo =
        m[2] !== undefined ? monthOf(m[2]) : m[4] !== undefined ? monthOf(m[4]) : num(m[8]);
      const d = num(m[1] ?? m[5] ?? m[9]);
      if (y !== null && mo !== null && d !== null && isValidYmd(y, mo, d)) {
        const ymd = { y, m: mo, d };
        const near =
          published === null ||
          Math.abs(toDate(y, mo, d) - toDate(published.y, published.m, published.d)) <=
            DATE_LINE_MAX_DAYS * DAY_MS;
        if (near) return { ymd, span: { start: offset, end: offset + line.length } };
      }
    }
    offset += line.length + 1;
  }
  return null;
}

export function findDateline(doc: PreparedText, published: Ymd | null): DocDates['dateline'] {
  const head = doc.text.slice(0, DATELINE_SCAN_CHARS);
  const dayFirst = DATELINE_EN_DAY_FIRST.exec(head);
  if (dayFirst !== null) {
    const d = num(dayFirst[1]);
    const m = monthOf(dayFirst[2]);
    const y =
      num(dayFirst[3]) ?? (m === null || d === null ? null : yearFor(m, d, published, null));
    if (d !== null && m !== null && y !== null && isValidYmd(y, m, d)) {
      const start = dayFirst.index;
      return { ymd: { y, m, d }, span: { start, end: start + dayFirst[0].length } };
    }
  }
  const en = DATELINE_EN.exec(head);
  const zh = en === null ? DATELINE_ZH.exec(head) : null;
  const hit = en ?? zh;
  if (hit === null) {
    const day = DATELINE_DAY_ZH.exec(head);
    const ymd = day === null ? null : dayOnlyDate(num(day[1]) ?? 0, published);
    if (day !== null && ymd !== null) {
      return { ymd, span: { start: day.index, end: day.index + day[0].length } };
    }
    return dateLine(doc, published);
  }
  const m = en === null ? num(hit[1]) : monthOf(hit[1]);
  const d = num(hit[2]);
  const explicitYear = en === null ? null : num(hit[3]);
  if (m === null || d === null) return null;
  const y = explicitYear ?? yearFor(m, d, published, null);
  if (y === null || !isValidYmd(y, m, d)) return null;
  return { ymd: { y, m, d }, span: { start: hit.index, end: hit.index + hit[0].length } };
}

export function collectDocDates(doc: PreparedText, from: number, to: number): DocDates {
  const dateline = findDateline(doc, doc.published);
  const mentions = findDateMentions(doc, from, to);
  return { mentions, dateline, ref: dateline?.ymd ?? doc.published };
}

function format(y: number, m: number | null, d: number | null): string {
  const mm = m === null ? '' : `-${String(m).padStart(2, '0')}`;
  const dd = m === null || d === null ? '' : `-${String(d).padStart(2, '0')}`;
  return `${String(y).padStart(4, '0')}${mm}${dd}`;
}

function resolved(ymd: Ymd, source: DateSource, span: Span | null): DateResolution {
  return { value: format(ymd.y, ymd.m, ymd.d), year: ymd.y, source, span };
}

function weekdayDate(ref: Ymd, weekday: number, week: number | null): Ymd {
  const refDow = new Date(toDate(ref.y, ref.m, ref.d)).getUTCDay();
  if (week === null) return addDays(ref, -((refDow - weekday + 7) % 7));
  const monday = addDays(ref, -((refDow + 6) % 7));
  return addDays(monday, week * 7 + ((weekday + 6) % 7));
}

/** How far back a vague date of the lead (近日, 上月, recently) still dates the signing. */
const VAGUE_LOOKBACK_CHARS = 1500;
/** Vague dates that date a past event; 近期 also means "soon" and 本月 rarely leads a report. */
const VAGUE_IN_LEAD = /^(?:近日|日前|上月|上个月|[Rr]ecently|[Ll]ast month)$/;

const NEXT_DAY = /次日|第二天|翌日|the next day|the following day/i;
/** 大会期间 / during the meeting: a signing somewhere inside a span of days. */
const DURING = /期间|\bduring\b/i;
const RANGE_AFTER =
  /^\s*(?:至|到|—|–|-|~|to)\s*(?:\d{1,2}|[〇零一二三四五六七八九十]{1,3})\s*[日号]?/;

function startsRange(doc: PreparedText, m: Span): boolean {
  return RANGE_AFTER.test(doc.text.slice(m.end, m.end + 8));
}

/** Turns an explicit date mention into a calendar date, filling year and month from context. */
function explicitDate(
  mention: DateMention,
  dates: DocDates,
): { y: number; m: number | null; d: number | null } | null {
  if (mention.kind === 'full' && mention.y !== null) {
    return isValidYmd(mention.y, mention.m ?? 0, mention.d ?? 0)
      ? { y: mention.y, m: mention.m, d: mention.d }
      : null;
  }
  if (mention.kind === 'ym' && mention.y !== null) return { y: mention.y, m: mention.m, d: null };
  if (mention.kind === 'y' && mention.y !== null) return { y: mention.y, m: null, d: null };
  let m = mention.m;
  if (mention.kind === 'd') {
    // A bare 24日 continues the month last named before it.
    const before = dates.mentions.filter((x) => x.end <= mention.start && x.m !== null).at(-1);
    const ref = dates.ref;
    if (before?.m !== null && before?.m !== undefined) m = before.m;
    else if (ref !== null && mention.d !== null) {
      // 30日 on a page of 1 September is 30 August.
      m = mention.d > ref.d ? ((ref.m + 10) % 12) + 1 : ref.m;
    } else m = null;
  }
  if (m === null || mention.d === null) return null;
  const y = yearFor(m, mention.d, dates.ref, firstYearInText(dates.mentions, mention.start));
  if (y === null || !isValidYmd(y, m, mention.d)) return null;
  return { y, m, d: mention.d };
}

const EXPLICIT: ReadonlySet<DateKind> = new Set(['full', 'md', 'd']);

/**
 * The signing date of the event whose verb is at `verbPos` in `sentence`: a date in the sentence
 * (before the verb, else after it), a weekday or "today" in it, the nearest earlier dated
 * sentence (with 次日 read as +1 day), the dateline, and last the page date.
 */
export function resolveSigningDate(
  doc: PreparedText,
  sentence: Sentence,
  verbPos: number,
  dates: DocDates,
): DateResolution {
  const dl = dates.dateline?.span;
  // The dateline dates the report, not the event: it is a reference, not a candidate.
  const notDateline = (m: Span): boolean =>
    dl === undefined || m.end <= dl.start || m.start >= dl.end;
  const inSentence = dates.mentions.filter(
    (m) => m.start >= sentence.start && m.end <= sentence.end && !m.background && notDateline(m),
  );
  const explicitIn = inSentence.filter((m) => EXPLICIT.has(m.kind));
  const before = explicitIn.filter((m) => m.end <= verbPos).at(-1);
  const after = explicitIn.find((m) => m.start >= verbPos);
  const during = DURING.test(doc.text.slice(sentence.start, sentence.end));
  for (const m of [before, after]) {
    if (m === undefined) continue;
    const date = explicitDate(m, dates);
    if (date !== null && date.d !== null) {
      if (during && startsRange(doc, m)) {
        return { value: format(date.y, date.m, null), year: date.y, source: 'sentence', span: m };
      }
      return resolved({ y: date.y, m: date.m ?? 1, d: date.d }, 'sentence', m);
    }
  }
  const ref = dates.ref;
  const weekday = inSentence.find((m) => m.kind === 'weekday');
  if (weekday !== undefined && weekday.weekday !== null && ref !== null) {
    return resolved(weekdayDate(ref, weekday.weekday, weekday.week), 'weekday', weekday);
  }
  const relative = inSentence.find((m) => m.kind === 'relative');
  if (relative !== undefined && ref !== null) {
    return resolved(addDays(ref, relative.offsetDays ?? 0), 'relative', relative);
  }
  // 近日 / 日前 / recently: only the month of the report is known.
  const vague = inSentence.find((m) => m.kind === 'vague');
  if (vague !== undefined && ref !== null) {
    const month = new Date(Date.UTC(ref.y, ref.m - 1 + (vague.months ?? 0), 1));
    const y = month.getUTCFullYear();
    return {
      value: format(y, month.getUTCMonth() + 1, null),
      year: y,
      source: 'sentence',
      span: vague,
    };
  }
  const earlier = dates.mentions.filter(
    (m) =>
      m.end <= sentence.start &&
      m.start >= sentence.start - BACKWARD_LIMIT_CHARS &&
      !m.background &&
      notDateline(m) &&
      (EXPLICIT.has(m.kind) ||
        m.kind === 'weekday' ||
        m.kind === 'relative' ||
        (m.kind === 'vague' &&
          m.start >= sentence.start - VAGUE_LOOKBACK_CHARS &&
          VAGUE_IN_LEAD.test(doc.text.slice(m.start, m.end)))),
  );
  for (let i = earlier.length - 1; i >= 0; i -= 1) {
    const m = earlier[i];
    if (m === undefined) continue;
    let ymd: Ymd | null = null;
    if (m.kind === 'vague') {
      // 近日，…会见了… / 上月率团访问…: the lead dates the visit to a month, and the signing with it.
      if (ref === null) continue;
      const month = new Date(Date.UTC(ref.y, ref.m - 1 + (m.months ?? 0), 1));
      const y = month.getUTCFullYear();
      return {
        value: format(y, month.getUTCMonth() + 1, null),
        year: y,
        source: 'context',
        span: m,
      };
    }
    if (m.kind === 'weekday') {
      if (m.weekday !== null && ref !== null) ymd = weekdayDate(ref, m.weekday, m.week);
    } else if (m.kind === 'relative') {
      if (ref !== null) ymd = addDays(ref, m.offsetDays ?? 0);
    } else {
      const date = explicitDate(m, dates);
      if (date !== null && date.m !== null && date.d !== null) {
        if (during && startsRange(doc, m)) {
          return { value: format(date.y, date.m, null), year: date.y, source: 'context', span: m };
        }
        ymd = { y: date.y, m: date.m, d: date.d };
      }
    }
    if (ymd === null) continue;
    if (NEXT_DAY.test(doc.text.slice(m.end, verbPos))) ymd = addDays(ymd, 1);
    return resolved(ymd, 'context', m);
  }
  if (dates.dateline !== null) return resolved(dates.dateline.ymd, 'dateline', dates.dateline.span);
  // Only a month or a year is known: 2016年11月，… in the sentence, else in the lead.
  const isPartial = (m: DateMention): boolean =>
    (m.kind === 'ym' || m.kind === 'y') && !m.background && notDateline(m);
  const partials: [DateMention | undefined, DateSource][] = [
    [inSentence.find(isPartial), 'sentence'],
    [
      dates.mentions
        .filter((m) => m.end <= sentence.start && m.start >= sentence.start - BACKWARD_LIMIT_CHARS)
        .filter(isPartial)
        .at(-1),
      'context',
    ],
  ];
  for (const [partial, source] of partials) {
    const date = partial === undefined ? null : explicitDate(partial, dates);
    if (partial !== undefined && date !== null) {
      return { value: format(date.y, date.m, null), year: date.y, source, span: partial };
    }
  }
  if (doc.published !== null) return resolved(doc.published, 'published', null);
  return { value: null, year: null, source: 'none', span: null };
}

/**
 * Reading publication dates from page text and URLs. Chinese government pages write them as
 * `2016-11-22`, `2016年11月22日`, full-width digits or Chinese numerals; English pages as
 * `Nov 22, 2016` or `22 November 2016`; TRS CMS URLs carry `/t20161122_`.
 */

export interface DateMatch {
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** Offset of the match in the text searched. */
  readonly index: number;
  readonly length: number;
}

const MIN_YEAR = 1970;
const MAX_YEAR = 2100;

/** `YYYY-MM-DD` when the parts make a real calendar date in a plausible range, else null. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) return null;
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  if (!Number.isInteger(day) || day < 1 || day > 31) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const MONTHS: Record<string, number> = {
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

const MONTH_NAME =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

const CHINESE_DIGITS: Record<string, number> = {
  〇: 0,
  零: 0,
  '○': 0,
  Ｏ: 0,
  O: 0,
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

/** 十一 -> 11, 二十二 -> 22, 三十 -> 30, 九 -> 9. */
function chineseSmallNumber(s: string): number {
  const ten = s.indexOf('十');
  if (ten === -1) return CHINESE_DIGITS[s] ?? Number.NaN;
  const tens = ten === 0 ? 1 : (CHINESE_DIGITS[s.slice(0, ten)] ?? Number.NaN);
  const unitPart = s.slice(ten + 1);
  const units = unitPart === '' ? 0 : (CHINESE_DIGITS[unitPart] ?? Number.NaN);
  return tens * 10 + units;
}

/** Full-width digits to ASCII, one char for one char so match offsets stay valid. */
function asciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

type Extractor = { readonly re: RegExp; readonly read: (m: RegExpExecArray) => string | null };

const EXTRACTORS: readonly Extractor[] = [
  {
    // 2016-11-22, 2016/11/22, 2016.11.22, also the date part of 2016-11-22T10:00:00+08:00.
    re: /(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)/g,
    read: (m) => isoDate(Number(m[1]), Number(m[3]), Number(m[4])),
  },
  {
    re: /(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/g,
    read: (m) => isoDate(Number(m[1]), Number(m[2]), Number(m[3])),
  },
  {
    re: /([〇零○ＯO一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日/g,
    read: (m) => {
      const year = Number(
        [...(m[1] ?? '')].map((c) => String(CHINESE_DIGITS[c] ?? Number.NaN)).join(''),
      );
      return isoDate(year, chineseSmallNumber(m[2] ?? ''), chineseSmallNumber(m[3] ?? ''));
    },
  },
  {
    // Nov 22, 2016 / November 22nd 2016 / Nov. 22, 2016
    re: new RegExp(`\\b${MONTH_NAME}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'gi'),
    read: (m) =>
      isoDate(Number(m[3]), MONTHS[(m[1] ?? '').slice(0, 3).toLowerCase()] ?? 0, Number(m[2])),
  },
  {
    // 22 November 2016 / Tue, 22 Nov 2016 10:00:00 GMT / 22-Nov-2016
    re: new RegExp(
      `\\b(\\d{1,2})(?:st|nd|rd|th)?(?:\\s+|-)${MONTH_NAME}\\.?,?(?:\\s+|-)(\\d{4})\\b`,
      'gi',
    ),
    read: (m) =>
      isoDate(Number(m[3]), MONTHS[(m[2] ?? '').slice(0, 3).toLowerCase()] ?? 0, Number(m[1])),
  },
];

/**
 * 22.11.2016: day first with dots, as European, Russian and Latin American sites write it (the
 * year-first form is read above; slashes are left alone, since 12/11/2016 is ambiguous).
 */
const DOTTED_DAY_FIRST: Extractor = {
  re: /(?<![\d.\p{L}])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d])/gu,
  read: (m) => isoDate(Number(m[3]), Number(m[2]), Number(m[1])),
};

/** Every readable date in `text`, in order of position. */
export function findDates(text: string): DateMatch[] {
  const searchable = asciiDigits(text);
  const found: DateMatch[] = [];
  for (const { re, read } of [...EXTRACTORS, DOTTED_DAY_FIRST]) {
    re.lastIndex = 0;
    for (let m = re.exec(searchable); m !== null; m = re.exec(searchable)) {
      const date = read(m);
      if (date !== null) found.push({ date, index: m.index, length: m[0].length });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The date a metadata value (meta content, JSON-LD, `<time datetime>`) names, or null. */
export function parseDateValue(value: string): string | null {
  const trimmed = asciiDigits(value.trim());
  // Compact 20161122 (optionally followed by a time) appears in some CMS metadata.
  const compact = /^(\d{4})(\d{2})(\d{2})(?:\D|$)/.exec(trimmed);
  if (compact !== null) return isoDate(Number(compact[1]), Number(compact[2]), Number(compact[3]));
  // The first date written is the date as the publisher wrote it; converting a zoned time to
  // UTC would move late-evening Beijing articles to the previous day.
  return findDates(trimmed)[0]?.date ?? null;
}

/**
 * A full date a URL carries: TRS `/t20161122_`, Xinhua `/2016-11/22/`, People's Daily
 * `/2016/1122/`, WordPress `/2016/11/22/`.
 */
export function dateFromUrl(url: string): string | null {
  const path = url.replace(/[?#].*$/, '');
  const patterns: readonly RegExp[] = [
    /\/t(\d{4})(\d{2})(\d{2})_\d+/,
    /\/(\d{4})-(\d{2})\/(\d{2})\//,
    /\/(\d{4})\/(\d{2})(\d{2})\//,
    /\/(\d{4})(\d{2})(\d{2})\//,
    // WordPress and many news sites: /2016/11/22/slug, /2016-11-22/.
    /\/(\d{4})\/(\d{1,2})\/(\d{1,2})\//,
    /\/(\d{4})-(\d{2})-(\d{2})(?:\/|[-_][a-z])/,
  ];
  for (const re of patterns) {
    const m = re.exec(path);
    if (m === null) continue;
    const date = isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (date !== null) return date;
  }
  return null;
}

/** The `YYYY-MM` a TRS month folder (`/201611/`) names, or null. */
export function monthFromUrl(url: string): string | null {
  const path = url.replace(/[?#].*$/, '');
  const m = /\/(\d{4})(\d{2})\//.exec(path);
  if (m === null) return null;
  const date = isoDate(Number(m[1]), Number(m[2]), 1);
  return date === null ? null : date.slice(0, 7);
}

import { parse as parseCsv } from 'csv-parse/sync';
import { UserError } from '../../core/errors.js';
import {
  type AgreementSource,
  CodedAgreement,
  Evidence,
  type Review,
} from '../../schemas/agreement.js';
import {
  AGENCY_TYPES,
  CN_SIGNING_BODIES,
  CN_TITLES,
  COUNTERPART_RANKS,
  REGIONS,
  REVIEW_STATUSES,
} from '../../schemas/codes.js';
import {
  bool,
  countryCode,
  docTypeOf,
  FORUMS,
  isCountryCode,
  list,
  normaliseDate,
  normKey,
  oneOf,
  pick,
  type Raw,
  REGION_OF,
  RowError,
  sourceKindOf,
  text,
  topicsOf,
} from './vocab.js';

/**
 * Reads an existing dataset for `pactwatch import`: export records as JSON (an array, or
 * `{"agreements": [...]}`, or JSON lines) or CSV (the export's columns). Hand-built files are
 * read leniently: columns may be named `date`, `country`, `type`, `title`; countries may be
 * codes or names in English or Chinese; dates may be 2016/11/22, 2016年11月22日 or
 * 22 November 2016; a document type may be a code or a term (谅解备忘录, MoU). Whatever cannot
 * be read is a one-line error naming the row and the field.
 */

export interface ImportRow {
  /** 1-based data row (the CSV header and blank JSON lines do not count). */
  readonly row: number;
  /** The row's id, when the file has one. */
  readonly id: string | null;
  readonly record: CodedAgreement;
  readonly sources: AgreementSource[];
  /** The review block as the file states it (hand-built files have none). */
  readonly review: Partial<Review>;
}

function sourcesOf(raw: Raw): AgreementSource[] {
  const v = pick(raw, ['sources']);
  if (Array.isArray(v)) {
    return v.map((s, i) => {
      if (typeof s === 'string') return bareSource(s);
      if (s === null || typeof s !== 'object') {
        throw new RowError(`sources[${i}]`, 'expected a URL or {url, source_kind, ...}');
      }
      const o = s as Raw;
      const url = text(o['url'], `sources[${i}].url`);
      if (url === null) throw new RowError(`sources[${i}].url`, 'missing');
      const published = text(o['published'], `sources[${i}].published`);
      return {
        url,
        source_kind: oneOf(
          o['source_kind'],
          `sources[${i}].source_kind`,
          ['mps', 'mfa', 'embassy', 'news', 'foreign-gov'] as const,
          sourceKindOf(url),
          { foreign_gov: 'foreign-gov' },
        ),
        published: published === null ? null : normaliseDate(published),
        fetched_at: text(o['fetched_at'], `sources[${i}].fetched_at`),
        snapshot_sha256: text(o['snapshot_sha256'], `sources[${i}].snapshot_sha256`),
        archive_url: text(o['archive_url'], `sources[${i}].archive_url`),
      };
    });
  }
  const urls = pick(raw, ['source_urls', 'sources', 'source_url', 'source', 'url', 'urls']);
  return list(urls, 'source_urls')
    .flatMap((u) => u.split(/\s+/))
    .filter((u) => /^https?:\/\//i.test(u))
    .map(bareSource);
}

function bareSource(url: string): AgreementSource {
  return {
    url,
    source_kind: sourceKindOf(url),
    published: null,
    fetched_at: null,
    snapshot_sha256: null,
    archive_url: null,
  };
}

function evidenceOf(v: unknown): CodedAgreement['evidence'] {
  if (v === undefined || v === null || v === '') return [];
  let parsed: unknown = v;
  if (typeof v === 'string') {
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new RowError('evidence', 'expected a JSON array of {field, source_url, quote}');
    }
  }
  const result = Evidence.array().safeParse(parsed);
  if (!result.success) {
    throw new RowError('evidence', 'expected a JSON array of {field, source_url, quote}');
  }
  return result.data;
}

function nested(raw: Raw, key: string): Raw {
  const v = raw[key];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v as Raw).map(([k, x]) => [normKey(k), x]));
  }
  return {};
}

const CJK = /[\u3400-\u9fff]/;

/** One row (JSON object or CSV record) to an import row; throws RowError naming the field. */
function toRow(input: Raw, row: number): ImportRow {
  const raw: Raw = Object.fromEntries(Object.entries(input).map(([k, v]) => [normKey(k), v]));
  const signatory = nested(raw, 'cn_signatory');
  const counterpart = nested(raw, 'counterpart_signatory');
  const review = nested(raw, 'review');

  const id = text(pick(raw, ['id', 'agreement_id', 'record_id', 'no', 'number']), 'id');
  if (id !== null && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(id)) {
    throw new RowError('id', `"${id}" is not a usable id (letters, digits, . _ : - up to 64)`);
  }
  let titleZh = text(
    pick(raw, ['title_zh', 'title_cn', 'chinese_title', 'title_chinese', '中文标题', '标题']),
    'title_zh',
  );
  let titleEn = text(pick(raw, ['title_en', 'english_title', 'title_english']), 'title_en');
  const title = text(raw['title'], 'title');
  if (title !== null) {
    if (CJK.test(title)) titleZh ??= title;
    else titleEn ??= title;
  }
  const strip = (t: string | null) => (t === null ? null : t.replace(/^《|》$/g, ''));

  const dateRaw = text(
    pick(raw, [
      'date_signed',
      'date',
      'signing_date',
      'signed',
      'date_of_signing',
      'signed_on',
      '签署日期',
      '日期',
    ]),
    'date_signed',
  );
  const yearRaw = text(raw['year'], 'year');
  let date = dateRaw === null ? null : normaliseDate(dateRaw);
  if (date === null && yearRaw !== null) date = normaliseDate(yearRaw);
  const year = date === null ? null : Number(date.slice(0, 4));
  if (yearRaw !== null && year !== null && Number(yearRaw) !== year) {
    throw new RowError('year', `${yearRaw} is not the year of date_signed ${date}`);
  }

  const { type: docType, term } = docTypeOf(
    pick(raw, ['doc_type', 'type', 'document_type', 'doc_type_code']),
  );
  const docTerm =
    text(pick(raw, ['doc_type_term', 'term', 'document_term']), 'doc_type_term') ?? term;

  let forum = text(
    pick(raw, ['forum', 'organization', 'organisation', 'multilateral_forum']),
    'forum',
  );
  if (forum !== null) forum = FORUMS.get(forum.toLowerCase()) ?? forum;
  const codes: string[] = [];
  for (const token of list(
    pick(raw, [
      'counterpart_countries',
      'countries',
      'country',
      'counterpart_country',
      'counterparts',
      'counterpart',
      'partner',
      'partners',
      'iso3',
      '国家',
    ]),
    'counterpart_countries',
  )) {
    const asForum = FORUMS.get(token.toLowerCase());
    // A forum in the country column (SCO, 东盟), unless the token is also a country code.
    if (asForum !== undefined && !isCountryCode(token)) {
      forum ??= asForum;
      continue;
    }
    const code = countryCode(token);
    if (code !== null && !codes.includes(code)) codes.push(code);
  }
  const scope = oneOf(
    raw['scope'],
    'scope',
    ['bilateral', 'multilateral'] as const,
    forum !== null || codes.length > 1 ? 'multilateral' : 'bilateral',
  );
  const regionText = text(raw['region'], 'region');
  const region =
    regionText === null
      ? forum === null && codes[0] !== undefined
        ? (REGION_OF.get(codes[0]) ?? null)
        : null
      : oneOf(regionText, 'region', REGIONS, 'europe', {
          eastern_europe_and_caucasus: 'eastern_europe_caucasus',
          middle_east_and_north_africa: 'middle_east_north_africa',
          latin_america_and_caribbean: 'latin_america_caribbean',
          latin_america_and_the_caribbean: 'latin_america_caribbean',
        });

  const title_ = oneOf(
    pick(signatory, ['title']) ?? pick(raw, ['cn_signatory_title', 'signatory_title']),
    'cn_signatory_title',
    CN_TITLES,
    'unknown',
  );
  const ministerial =
    bool(pick(raw, ['cn_signatory_ministerial', 'ministerial']), 'cn_signatory_ministerial') ??
    (title_ === 'unknown' ? null : title_ === 'minister' || title_ === 'executive_vice_minister');
  const reviewStatus = text(pick(review, ['status']) ?? raw['review_status'], 'review_status');
  if (reviewStatus !== null && !REVIEW_STATUSES.some((s) => s === reviewStatus)) {
    throw new RowError(
      'review_status',
      `"${reviewStatus}" is not one of ${REVIEW_STATUSES.join(', ')}`,
    );
  }
  const confidence = text(raw['confidence'], 'confidence');

  const candidate = {
    title_zh: strip(titleZh),
    title_en: strip(titleEn),
    date_signed: date,
    year,
    doc_type: docType,
    doc_type_term: docTerm,
    scope,
    counterpart_countries: codes,
    forum,
    region,
    counterpart_agency: text(
      pick(raw, ['counterpart_agency', 'agency', 'counterpart_ministry', 'partner_agency']),
      'counterpart_agency',
    ),
    counterpart_agency_type: oneOf(
      pick(raw, ['counterpart_agency_type', 'agency_type']),
      'counterpart_agency_type',
      AGENCY_TYPES,
      'unknown',
    ),
    cn_signing_body: oneOf(
      pick(raw, ['cn_signing_body', 'signing_body']),
      'cn_signing_body',
      CN_SIGNING_BODIES,
      'mps',
    ),
    cn_signatory: {
      name_zh: text(
        pick(signatory, ['name_zh']) ??
          pick(raw, [
            'cn_signatory_name_zh',
            'cn_signatory_zh',
            'signatory_zh',
            'chinese_signatory',
          ]),
        'cn_signatory_name_zh',
      ),
      name_en: text(
        pick(signatory, ['name_en']) ??
          pick(raw, ['cn_signatory_name_en', 'cn_signatory_en', 'signatory_en']),
        'cn_signatory_name_en',
      ),
      title: title_,
    },
    cn_signatory_ministerial: ministerial,
    counterpart_signatory: {
      name: text(
        pick(counterpart, ['name']) ??
          (typeof raw['counterpart_signatory'] === 'string'
            ? raw['counterpart_signatory']
            : pick(raw, ['counterpart_signatory_name'])),
        'counterpart_signatory_name',
      ),
      rank: oneOf(
        pick(counterpart, ['rank']) ??
          pick(raw, ['counterpart_signatory_rank', 'counterpart_rank']),
        'counterpart_signatory_rank',
        COUNTERPART_RANKS,
        'unknown',
      ),
    },
    topics: topicsOf(pick(raw, ['topics', 'topic', 'issues'])),
    is_renewal: bool(raw['is_renewal'], 'is_renewal') ?? false,
    evidence: evidenceOf(raw['evidence']),
    // A hand-coded record is as certain as the coders were; the file may say otherwise.
    confidence: confidence === null ? 1 : Number(confidence),
  };
  const parsed = CodedAgreement.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? 'record' : issue.path.join('.') || 'record';
    throw new RowError(field, issue?.message ?? 'invalid');
  }
  return {
    row,
    id,
    record: parsed.data,
    sources: sourcesOf(raw),
    review: {
      ...(reviewStatus === null ? {} : { status: reviewStatus as Review['status'] }),
      reviewer: text(pick(review, ['reviewer']) ?? raw['review_reviewer'], 'review_reviewer'),
      reviewed_at: text(
        pick(review, ['reviewed_at']) ?? raw['review_reviewed_at'],
        'review_reviewed_at',
      ),
      note: text(pick(review, ['note']) ?? raw['review_note'], 'review_note'),
    },
  };
}

function rowsOfJson(content: string, file: string): { value: unknown; line: number }[] {
  const trimmed = content.trimStart();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !/\}\s*\n\s*\{/.test(trimmed))) {
    let data: unknown;
    try {
      data = JSON.parse(content);
    } catch (cause) {
      throw new UserError(`${file}: not valid JSON (${(cause as Error).message})`);
    }
    const list = Array.isArray(data)
      ? data
      : data !== null && typeof data === 'object'
        ? ((data as Raw)['agreements'] ?? (data as Raw)['records'] ?? (data as Raw)['data'])
        : undefined;
    if (!Array.isArray(list)) {
      throw new UserError(`${file}: expected a JSON array of records (or {"agreements": [...]})`);
    }
    return list.map((value) => ({ value, line: 0 }));
  }
  // JSON lines.
  const out: { value: unknown; line: number }[] = [];
  for (const [i, line] of content.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    try {
      out.push({ value: JSON.parse(line), line: i + 1 });
    } catch {
      throw new UserError(`${file} line ${i + 1}: not valid JSON`);
    }
  }
  return out;
}

function rowsOfCsv(content: string, file: string): { value: unknown; line: number }[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(content.replace(/^\uFEFF/, ''), {
      columns: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (cause) {
    throw new UserError(`${file}: not valid CSV (${(cause as Error).message})`);
  }
  return records.map((r) => ({ value: r.record, line: r.info.lines }));
}

/**
 * Parses a whole file; the first bad row stops it with a UserError naming file, row (and line)
 * and field, so nothing is imported from a file that is not entirely readable.
 */
export function parseImport(content: string, file: string): ImportRow[] {
  if (content.trim() === '') throw new UserError(`${file} is empty`);
  const first = content.trimStart()[0];
  const json = first === '[' || first === '{' || /\.jsonl?$/i.test(file);
  const rows = json ? rowsOfJson(content, file) : rowsOfCsv(content, file);
  if (rows.length === 0) throw new UserError(`${file} has no records`);
  return rows.map(({ value, line }, i) => {
    const where = `${file} row ${i + 1}${line > 0 ? ` (line ${line})` : ''}`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new UserError(`${where}: expected an object with the record's fields`);
    }
    try {
      return toRow(value as Raw, i + 1);
    } catch (e) {
      if (e instanceof RowError) {
        const id = (value as Raw)['id'];
        const named = id === undefined || id === null || id === '' ? '' : ` (id ${String(id)})`;
        throw new UserError(`${where}${named}: ${e.field}: ${e.message}`);
      }
      throw e;
    }
  });
}

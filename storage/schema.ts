import type { Generated } from 'kysely';

/**
 * Table types for Kysely. JSON columns are stored as text on both dialects so the same
 * queries serve SQLite and (later) PostgreSQL; `storage/` is the only place that parses them.
 */

export interface SourcesTable {
  id: string;
  kind: string;
  definition: string;
  updated_at: string;
}

export interface CrawlsTable {
  id: Generated<number>;
  started_at: string;
  finished_at: string | null;
  status: string;
  source_ids: string;
  options: string;
}

export interface JobsTable {
  id: Generated<number>;
  crawl_id: number;
  stage: string;
  key: string;
  source_id: string;
  url: string | null;
  host: string | null;
  depth: number;
  page_type: string | null;
  payload: string;
  state: string;
  attempts: number;
  not_before: number;
  /** Claim order: 0 dedup, 1 extract, 2 parse, 3 fetch (finish started pages first). */
  priority: Generated<number>;
  last_error: string | null;
  http_status: number | null;
  created_at: string;
  updated_at: string;
}

export interface SnapshotsTable {
  id: Generated<number>;
  crawl_id: number | null;
  url: string;
  final_url: string;
  source_id: string;
  status: number;
  headers: string;
  content_type: string | null;
  charset: string | null;
  body_sha256: string;
  body_bytes: number;
  fetched_at: string;
}

export interface DocumentsTable {
  snapshot_id: number;
  title: string | null;
  text: string;
  published: string | null;
}

export interface CandidatesTable {
  id: Generated<number>;
  snapshot_id: number;
  source_id: string;
  source_kind: string;
  url: string;
  published: string | null;
  ordinal: number;
  record: string;
  agreement_id: string | null;
  created_at: string;
}

export interface AgreementsTable {
  id: string;
  record: string;
  /** Dedup blocking key: sorted counterpart codes, or `forum:NAME`. */
  partner_key: string;
  date_signed: string | null;
  doc_type: string;
  status: string;
  reviewer: string | null;
  reviewed_at: string | null;
  note: string | null;
  /** Optimistic-concurrency version, bumped on every change. */
  version: number;
  merged_into: string | null;
  created_at: string;
  updated_at: string;
}

export interface AgreementSourcesTable {
  id: Generated<number>;
  agreement_id: string;
  candidate_id: number | null;
  url: string;
  source_kind: string;
  published: string | null;
  fetched_at: string | null;
  snapshot_sha256: string | null;
  archive_url: string | null;
}

export interface ReviewLogTable {
  id: Generated<number>;
  agreement_id: string;
  action: string;
  reviewer: string;
  at: string;
  note: string | null;
  details: string;
}

export interface ReleasesTable {
  version: string;
  created_at: string;
  records: number;
  files: string;
  /** Added by 0005: the release's schema fingerprint, the release it follows, its bump. */
  schema_fingerprint: string | null;
  previous_version: string | null;
  bump: string | null;
}

export interface CountersTable {
  name: string;
  value: number;
}

/** Per host and page type: whether pages load with the plain client or the browser. */
export interface HostRenderModesTable {
  host: string;
  /** `list` or `article`. */
  page_type: string;
  /** `static` or `browser`. */
  mode: string;
  /** Why: `challenge`, `script-filled`, `confirmed` (plain pages had text), `recheck`. */
  reason: string;
  /** Last time a sample was checked (ISO). */
  checked_at: string;
  updated_at: string;
}

export interface ReviewItemsTable {
  id: Generated<number>;
  agreement_id: string;
  kind: string;
  field: string | null;
  details: string;
  status: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url), so the cost can rise without breaking old hashes. */
  password_hash: string;
  role: string;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  /** sha256 of the cookie token; the token itself is never stored. */
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  /** Epoch milliseconds. */
  expires_at: number;
}

export interface ReviewAssignmentsTable {
  id: Generated<number>;
  batch: string;
  agreement_id: string;
  reviewer: string;
  assigned_by: string;
  created_at: string;
  /** `approve` or `reject` once the reviewer has coded the record. */
  decision: string | null;
  /** The reviewer's independent coding (CodedAgreement JSON). */
  record: string | null;
  note: string | null;
  decided_at: string | null;
}

/** What the crawls know about one URL of a source: validators, last good version, vanishing. */
export interface PagesTable {
  source_id: string;
  url: string;
  final_url: string | null;
  etag: string | null;
  last_modified: string | null;
  content_type: string | null;
  /** Body hash of the last good (2xx) version. */
  body_sha256: string | null;
  /** Snapshot of the last good version. */
  snapshot_id: number | null;
  /** Distinct good versions seen. */
  versions: Generated<number>;
  last_status: number | null;
  first_seen_at: string;
  last_fetched_at: string | null;
  last_changed_at: string | null;
  /** Set when the page answered 404/410; cleared when it comes back. */
  vanished_at: string | null;
  /** Needs a person: `pdf` (stored, not parsed). */
  flag: string | null;
}

export interface SchedulesTable {
  id: Generated<number>;
  source_id: string;
  cron: string;
  /** IANA time zone the cron expression is read in. */
  timezone: string;
  /** Overrides the source's max pages for scheduled crawls; null keeps the source's own. */
  max_pages: number | null;
  created_at: string;
  /** Epoch ms of the next firing (embedded mode). */
  next_run_at: number;
  /** Epoch ms of the firing that last started (or skipped) a crawl. */
  last_fired_at: number | null;
  last_crawl_id: number | null;
  last_status: string | null;
}

export interface AgreementHistoryTable {
  id: Generated<number>;
  agreement_id: string;
  /** `created`, `imported`, `merged_into`, `absorbed`, `split_into`, `split_from`. */
  event: string;
  /** JSON array of the other ids involved (the merge target, the split parts...). */
  other_ids: string;
  actor: string;
  at: string;
  details: string;
}

export interface AgreementAliasesTable {
  /** Another name of the record: `import:<id in the imported dataset>` or `fp:<sha256>`. */
  alias: string;
  agreement_id: string;
  kind: string;
  created_at: string;
}

/** Answers of the LLM extractor by content hash (extractors/llm/cache.ts). */
export interface LlmCacheTable {
  key: string;
  model: string;
  /** The validated ExtractionResult as JSON. */
  result: string;
  tokens: number;
  created_at: string;
}

export interface Database {
  sources: SourcesTable;
  crawls: CrawlsTable;
  jobs: JobsTable;
  snapshots: SnapshotsTable;
  documents: DocumentsTable;
  candidates: CandidatesTable;
  agreements: AgreementsTable;
  agreement_sources: AgreementSourcesTable;
  review_log: ReviewLogTable;
  releases: ReleasesTable;
  counters: CountersTable;
  review_items: ReviewItemsTable;
  agreement_history: AgreementHistoryTable;
  agreement_aliases: AgreementAliasesTable;
  schedules: SchedulesTable;
  host_render_modes: HostRenderModesTable;
  pages: PagesTable;
  users: UsersTable;
  sessions: SessionsTable;
  review_assignments: ReviewAssignmentsTable;
  llm_cache: LlmCacheTable;
}

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
}

export interface CountersTable {
  name: string;
  value: number;
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
}

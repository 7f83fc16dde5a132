import { z } from 'zod';

/**
 * The coding scheme's enumerations (DESIGN.md, "Coding scheme"). Every other schema, the
 * extractors, the release datapackage and the codebook read them from here.
 */

export const DOC_TYPES = [
  'protocol',
  'accord',
  'mou',
  'meeting_minutes',
  'joint_statement',
  'letter_of_intent',
  'exchange_of_notes',
  'cooperation_plan',
  'action_plan',
  'outcomes_list',
  'supply_handover',
  'unspecified',
  'other',
] as const;
export const DocType = z.enum(DOC_TYPES);
export type DocType = z.infer<typeof DocType>;

export const SCOPES = ['bilateral', 'multilateral'] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

export const REGIONS = [
  'southeast_asia',
  'east_asia',
  'south_asia',
  'central_asia',
  'eastern_europe_caucasus',
  'europe',
  'middle_east_north_africa',
  'sub_saharan_africa',
  'latin_america_caribbean',
  'north_america',
  'oceania',
] as const;
export const Region = z.enum(REGIONS);
export type Region = z.infer<typeof Region>;

export const AGENCY_TYPES = [
  'interior',
  'public_security',
  'state_security',
  'national_police',
  'immigration_border',
  'criminal_investigation',
  'counterterrorism',
  'narcotics',
  'justice',
  'homeland_security',
  'defense',
  'other',
  'unknown',
] as const;
export const AgencyType = z.enum(AGENCY_TYPES);
export type AgencyType = z.infer<typeof AgencyType>;

export const CN_SIGNING_BODIES = [
  'mps',
  'mps_bureau',
  'provincial_psb',
  'mfa',
  'embassy',
  'other',
] as const;
export const CnSigningBody = z.enum(CN_SIGNING_BODIES);
export type CnSigningBody = z.infer<typeof CnSigningBody>;

export const CN_TITLES = [
  'minister',
  'executive_vice_minister',
  'vice_minister',
  'bureau_head',
  'provincial',
  'mfa',
  'embassy',
  'other',
  'unknown',
] as const;
export const CnTitle = z.enum(CN_TITLES);
export type CnTitle = z.infer<typeof CnTitle>;

export const COUNTERPART_RANKS = ['ministerial', 'vice_ministerial', 'other', 'unknown'] as const;
export const CounterpartRank = z.enum(COUNTERPART_RANKS);
export type CounterpartRank = z.infer<typeof CounterpartRank>;

export const TOPICS = [
  'social_stability',
  'transnational_crime',
  'counterdrug',
  'telecom_fraud',
  'counterterrorism',
  'overseas_interests',
  'capacity_building',
  'event_security',
  'cybercrime',
  'financial_crime_gambling',
  'human_trafficking',
  'immigration_border',
] as const;
/** A topic code, or `generic` when the sources name none. */
export const Topic = z.enum([...TOPICS, 'generic']);
export type Topic = z.infer<typeof Topic>;

export const SOURCE_KINDS = ['mps', 'mfa', 'embassy', 'news', 'foreign-gov'] as const;
export const SourceKind = z.enum(SOURCE_KINDS);
export type SourceKind = z.infer<typeof SourceKind>;

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const ReviewStatus = z.enum(REVIEW_STATUSES);
export type ReviewStatus = z.infer<typeof ReviewStatus>;

/** `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, with a real month and day. */
export const PartialDate = z
  .string()
  .regex(
    /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/,
    'Expected YYYY-MM-DD, YYYY-MM or YYYY',
  )
  .refine((s) => {
    if (s.length < 10) return true;
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'Not a calendar date');
export type PartialDate = z.infer<typeof PartialDate>;

/** ISO 3166-1 alpha-3 (TWN for Taiwan). */
export const CountryCode = z.string().regex(/^[A-Z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code');

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
export const DocType = z
  .enum(DOC_TYPES)
  .describe(
    'protocol 协议/协议书 · accord 协定/协定书/合作协定 · mou 谅解备忘录/意向备忘录/合作交流备忘录 · meeting_minutes 会议纪要/会谈纪要 · joint_statement 联合声明 · letter_of_intent 意向书 · exchange_of_notes 换文 · cooperation_plan 合作安排/合作计划 · action_plan 行动方案/行动计划 · outcomes_list 成果清单/成果声明 · supply_handover 物资交接书 · unspecified: only "有关合作文件" · other.',
  );
export type DocType = z.infer<typeof DocType>;

export const SCOPES = ['bilateral', 'multilateral'] as const;
export const Scope = z
  .enum(SCOPES)
  .describe('bilateral: one foreign partner; multilateral: several partners, or a forum.');
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
export const Region = z
  .enum(REGIONS)
  .describe('Region of the partner country, as the researchers grouped them.');
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
export const AgencyType = z
  .enum(AGENCY_TYPES)
  .describe(
    'interior: interior, internal or home affairs ministries · public_security · state_security · national_police · immigration_border · criminal_investigation · counterterrorism · narcotics · justice · homeland_security · defense · other · unknown.',
  );
export type AgencyType = z.infer<typeof AgencyType>;

export const CN_SIGNING_BODIES = [
  'mps',
  'mps_bureau',
  'provincial_psb',
  'mfa',
  'embassy',
  'other',
] as const;
export const CnSigningBody = z
  .enum(CN_SIGNING_BODIES)
  .describe(
    'mps: the Ministry of Public Security itself · mps_bureau: one of its bureaus · provincial_psb: a provincial public security department · mfa: the foreign ministry · embassy · other.',
  );
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
export const CnTitle = z
  .enum(CN_TITLES)
  .describe(
    'minister · executive_vice_minister (常务副部长) · vice_minister · bureau_head · provincial · mfa · embassy · other · unknown; minister and executive vice minister are ministerial rank (正部长级).',
  );
export type CnTitle = z.infer<typeof CnTitle>;

export const COUNTERPART_RANKS = ['ministerial', 'vice_ministerial', 'other', 'unknown'] as const;
export const CounterpartRank = z
  .enum(COUNTERPART_RANKS)
  .describe('Rank of the foreign signatory: ministerial, vice_ministerial, other, unknown.');
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
export const Topic = z
  .enum([...TOPICS, 'generic'])
  .describe(
    'social_stability 社会稳定 · transnational_crime 跨国犯罪 (有组织犯罪) · counterdrug 禁毒 · telecom_fraud 电信诈骗 · counterterrorism 反恐, 三股势力 · overseas_interests 中国公民和机构安全, "一带一路"安保 · capacity_building 执法能力建设 · event_security 大型活动安保 · cybercrime 网络犯罪 · financial_crime_gambling 赌博, 经济犯罪, money laundering · human_trafficking 反拐 · immigration_border 边境管理, 非法出入境 · generic: no topic named.',
  );
export type Topic = z.infer<typeof Topic>;

export const SOURCE_KINDS = ['mps', 'mfa', 'embassy', 'news', 'foreign-gov'] as const;
export const SourceKind = z
  .enum(SOURCE_KINDS)
  .describe(
    'mps: MPS sites · mfa: foreign ministry · embassy: Chinese embassies · news · foreign-gov: foreign government sites.',
  );
export type SourceKind = z.infer<typeof SourceKind>;

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const ReviewStatus = z
  .enum(REVIEW_STATUSES)
  .describe('pending: not yet decided · approved · rejected.');
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

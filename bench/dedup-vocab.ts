import type { DocType, Topic } from '../schemas/codes.js';

/**
 * The words of the generated truth set (bench/dedup-data.ts): subjects and document terms as
 * each language writes them, partners, and MPS officials by term of office (DESIGN.md).
 */

export interface Subject {
  readonly zh: string;
  readonly en: readonly string[];
  readonly topic: Topic;
}

/** Subjects as the two languages word them (English readouts vary their wording). */
export const SUBJECTS: readonly Subject[] = [
  {
    zh: '打击跨国犯罪',
    en: ['combating transnational crime', 'fighting transnational crime'],
    topic: 'transnational_crime',
  },
  { zh: '禁毒', en: ['drug control', 'combating narcotics'], topic: 'counterdrug' },
  { zh: '合作打击跨境毒品犯罪', en: ['combating cross-border drug crime'], topic: 'counterdrug' },
  { zh: '反恐', en: ['counter-terrorism', 'counterterrorism'], topic: 'counterterrorism' },
  {
    zh: '打击电信诈骗犯罪',
    en: ['combating telecom fraud', 'fighting telecommunications fraud'],
    topic: 'telecom_fraud',
  },
  { zh: '边境管理', en: ['border management', 'border control'], topic: 'immigration_border' },
  { zh: '执法能力建设', en: ['law enforcement capacity building'], topic: 'capacity_building' },
  { zh: '开展警务联合巡逻', en: ['joint police patrols'], topic: 'overseas_interests' },
  { zh: '打击网络犯罪', en: ['combating cybercrime', 'fighting cyber crime'], topic: 'cybercrime' },
  { zh: '打击拐卖人口犯罪', en: ['combating human trafficking'], topic: 'human_trafficking' },
  { zh: '加强“一带一路”安保', en: ['Belt and Road security'], topic: 'overseas_interests' },
  {
    zh: '追逃追赃',
    en: ['fugitive repatriation and asset recovery'],
    topic: 'financial_crime_gambling',
  },
  { zh: '警务培训', en: ['police training'], topic: 'capacity_building' },
  { zh: '打击洗钱犯罪', en: ['combating money laundering'], topic: 'financial_crime_gambling' },
  { zh: '出入境管理', en: ['immigration administration'], topic: 'immigration_border' },
  { zh: '大型活动安保', en: ['security of major events'], topic: 'event_security' },
  { zh: '打击非法出入境', en: ['combating illegal immigration'], topic: 'immigration_border' },
  {
    zh: '打击跨国赌博',
    en: ['combating cross-border gambling'],
    topic: 'financial_crime_gambling',
  },
];

export interface TypeTerms {
  readonly type: DocType;
  readonly zh: string;
  /** How English readouts call it; an English "agreement" is coded `accord`. */
  readonly en: string;
  readonly enType: DocType;
}

export const TYPES: readonly TypeTerms[] = [
  { type: 'mou', zh: '谅解备忘录', en: 'Memorandum of Understanding', enType: 'mou' },
  { type: 'protocol', zh: '合作协议', en: 'Agreement', enType: 'accord' },
  { type: 'accord', zh: '合作协定', en: 'Agreement', enType: 'accord' },
  { type: 'cooperation_plan', zh: '合作计划', en: 'Cooperation Plan', enType: 'cooperation_plan' },
  {
    type: 'letter_of_intent',
    zh: '合作意向书',
    en: 'Letter of Intent',
    enType: 'letter_of_intent',
  },
  {
    type: 'supply_handover',
    zh: '物资交接证书',
    en: 'Handover Certificate',
    enType: 'supply_handover',
  },
];

export const REAL_PARTNERS = [
  'VNM',
  'LAO',
  'KHM',
  'MMR',
  'THA',
  'PAK',
  'KAZ',
  'KGZ',
  'TJK',
  'UZB',
  'RUS',
  'SRB',
  'HUN',
  'ITA',
  'BRA',
  'IDN',
  'MYS',
  'PHL',
  'SGP',
  'NPL',
  'BGD',
  'LKA',
  'AFG',
  'IRN',
  'TUR',
  'EGY',
  'ZAF',
  'KEN',
  'ETH',
  'NGA',
  'ARG',
  'CHL',
  'MEX',
  'CUB',
  'VEN',
  'BLR',
  'UKR',
  'GEO',
  'ARM',
  'AZE',
  'MNG',
  'KOR',
  'JPN',
  'AUS',
  'NZL',
  'FRA',
  'DEU',
  'ESP',
  'PRT',
  'GRC',
  'POL',
  'ROU',
  'BGR',
  'HRV',
  'SVN',
  'MKD',
  'ALB',
  'MNE',
  'BIH',
  'TWN',
];

/** One-character abbreviations used in 中越, 中老 (China–Vietnam, China–Laos). */
export const ABBR: Record<string, string> = {
  VNM: '越',
  LAO: '老',
  MMR: '缅',
  THA: '泰',
  KHM: '柬',
  RUS: '俄',
  KAZ: '哈',
  KGZ: '吉',
  TJK: '塔',
  UZB: '乌',
  MNG: '蒙',
  PAK: '巴',
};

/** Yearly ministerial meetings that end in signed minutes. */
export const SERIES_PARTNERS = ['VNM', 'LAO', 'KHM', 'MMR'];

export const MINISTERS = [
  { zh: '周永康', en: 'Zhou Yongkang', to: '2007-10-30' },
  { zh: '孟建柱', en: 'Meng Jianzhu', to: '2012-12-28' },
  { zh: '郭声琨', en: 'Guo Shengkun', to: '2017-11-04' },
  { zh: '赵克志', en: 'Zhao Kezhi', to: '2022-06-24' },
  { zh: '王小洪', en: 'Wang Xiaohong', to: '2100-01-01' },
];
export const VICE_MINISTERS = [
  { zh: '孟宏伟', en: 'Meng Hongwei' },
  { zh: '刘金国', en: 'Liu Jinguo' },
  { zh: '孟庆丰', en: 'Meng Qingfeng' },
  { zh: '林锐', en: 'Lin Rui' },
  { zh: '许甘露', en: 'Xu Ganlu' },
];

export const LATIN_SYLLABLES = [
  'to',
  'lam',
  'ngu',
  'yen',
  'sar',
  'keng',
  'som',
  'bat',
  'ah',
  'mad',
  'iv',
  'an',
  'pe',
  'tro',
  'vic',
  'ser',
  'gei',
  'ko',
  'lev',
  'dra',
];
export const CJK_SYLLABLES = '苏林阮文萨肯宋巴艾哈马伊万彼得维克谢尔盖科列德拉';

export const AGENCIES = [
  { zh: '内政部', en: 'Ministry of Interior' },
  { zh: '公安部', en: 'Ministry of Public Security' },
  { zh: '内务部', en: 'Ministry of Internal Affairs' },
  { zh: '国家警察总署', en: 'National Police' },
];

import type { CodedAgreement } from '../../schemas/agreement.js';

/** A valid coded record with every field set; tests override what they exercise. */
export function codedRecord(overrides: Partial<CodedAgreement> = {}): CodedAgreement {
  return {
    title_zh: null,
    title_en: null,
    date_signed: '2016-11-22',
    year: 2016,
    doc_type: 'mou',
    doc_type_term: '谅解备忘录',
    scope: 'bilateral',
    counterpart_countries: ['VNM'],
    forum: null,
    region: 'southeast_asia',
    counterpart_agency: 'Ministry of Public Security of Vietnam',
    counterpart_agency_type: 'public_security',
    cn_signing_body: 'mps',
    cn_signatory: { name_zh: '郭声琨', name_en: 'Guo Shengkun', title: 'minister' },
    cn_signatory_ministerial: true,
    counterpart_signatory: { name: 'To Lam', rank: 'ministerial' },
    topics: ['transnational_crime'],
    is_renewal: false,
    evidence: [],
    confidence: 0.8,
    ...overrides,
  };
}

import { z } from 'zod';
import {
  CodedAgreement,
  type Evidence,
  ExtractionResult,
  type ExtractionResult as Result,
} from '../../schemas/agreement.js';
import {
  AGENCY_TYPES,
  CN_SIGNING_BODIES,
  CN_TITLES,
  COUNTERPART_RANKS,
  DOC_TYPES,
  REGIONS,
  TOPICS,
} from '../../schemas/codes.js';

/**
 * What the model is asked for: the coded fields of ExtractionResult, with evidence as bare
 * quotes (the offsets are found in the page here, so a model cannot point at text that is not
 * there) and without `is_renewal`, which is derived from the dataset, not from a page. The
 * answer becomes an ExtractionResult only by passing the same zod schema as the rules' output.
 */

const LlmEvidence = z.object({
  field: z.string().describe('The coded field the quote justifies.'),
  quote: z.string().describe('Words copied exactly from the page text.'),
});

export const LlmAgreement = CodedAgreement.omit({
  evidence: true,
  is_renewal: true,
  confidence: true,
}).extend({
  evidence: z.array(LlmEvidence).default([]),
  confidence: z.number().min(0).max(1).optional(),
});

export const LlmOutput = z.object({
  is_signing: z
    .boolean()
    .describe(
      'True when the page reports that China’s Ministry of Public Security (or another Chinese public-security body) signed a document with a foreign counterpart.',
    ),
  agreements: z.array(LlmAgreement).describe('One record per document signed.'),
});
export type LlmOutput = z.infer<typeof LlmOutput>;

/** JSON Schema of the answer, for `response_format` (servers that honour it constrain decoding). */
export const LLM_OUTPUT_JSON_SCHEMA = z.toJSONSchema(LlmOutput, { io: 'input' });

/** The answer text as JSON: bare, or inside a ```json fence some models add. */
export function parseAnswer(content: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content);
  const body = (fenced?.[1] ?? content).trim();
  return JSON.parse(body);
}

/** A model's confidence is capped: the rules' evidence offsets are exact, a model's are found. */
const MAX_LLM_CONFIDENCE = 0.9;
const DEFAULT_LLM_CONFIDENCE = 0.6;

/**
 * The model's answer as an ExtractionResult for `text`: quotes located in the page (those not
 * found are dropped), validated by the same schema as every extractor's output. Throws a
 * ZodError when the answer does not fit.
 */
export function toExtraction(answer: unknown, text: string, url: string | null): Result {
  const output = LlmOutput.parse(answer);
  const agreements = output.agreements.map((a) => {
    const { evidence: quotes, confidence, ...fields } = a;
    const evidence: Evidence[] = [];
    for (const q of quotes) {
      const quote = q.quote.trim();
      const start = quote === '' ? -1 : text.indexOf(quote);
      if (start === -1) continue;
      evidence.push({ field: q.field, source_url: url, quote, start, end: start + quote.length });
    }
    return {
      ...fields,
      is_renewal: false,
      evidence,
      confidence: Math.min(MAX_LLM_CONFIDENCE, confidence ?? DEFAULT_LLM_CONFIDENCE),
    };
  });
  return ExtractionResult.parse({
    is_signing: output.is_signing && agreements.length > 0,
    agreements,
  });
}

const list = (values: readonly string[]): string => values.join(', ');

/** Bumped whenever the prompt changes, so cached answers to an older prompt are not reused. */
export const PROMPT_VERSION = 1;

/** The coding instructions: the scheme of DESIGN.md, with the enumerations from schemas/codes.ts. */
export const SYSTEM_PROMPT = `You code police-cooperation agreements for a research dataset of the agreements China's Ministry of Public Security (MPS, 公安部) signs with foreign counterparts.
Read one page (news, a ministry or embassy readout; Simplified or Traditional Chinese or English) and answer with one JSON object:
{"is_signing": boolean, "agreements": [record, ...]}, one record per document signed.
is_signing is false for a meeting where nothing was signed, plans (will sign), documents only referred to (signed in an earlier year), operations, domestic news, and agreements another Chinese ministry (commerce, education, defence, courts) or Hong Kong, Macao or Taiwan's own police signed.
Record fields:
- title_zh, title_en: the title as written (without 《》), else null.
- date_signed: YYYY-MM-DD (YYYY-MM or YYYY when only that is known); a bare 9月24日 takes the year of the page date; "on Wednesday" is resolved against the dateline. year: its year.
- doc_type: one of ${list(DOC_TYPES)}. 协议/协议书 protocol; 协定 accord (English "agreement" between governments is accord, between ministries protocol); 谅解备忘录/备忘录 mou; 会议纪要/会谈纪要 meeting_minutes; 联合声明 joint_statement; 意向书 letter_of_intent; 换文 exchange_of_notes; 合作安排/合作计划 cooperation_plan; 行动计划/行动方案 action_plan; 成果清单 outcomes_list; 物资交接书/交接证书 supply_handover; 有关合作文件 alone unspecified. doc_type_term: the term as written.
- scope: bilateral (one foreign partner) or multilateral (several, or a forum). counterpart_countries: ISO 3166-1 alpha-3 codes (TWN for Taiwan), [] for a forum alone. forum: null, SCO, ASEAN, LMLECC, EU, INTERPOL, MEKONG (China with Laos, Myanmar and Thailand on the Mekong), UNODC or another short name. region: one of ${list(REGIONS)}; null for a forum or several regions.
- counterpart_agency: the foreign agency in English ("Ministry of Public Security of Vietnam"), counterpart_agency_type: one of ${list(AGENCY_TYPES)}.
- cn_signing_body: one of ${list(CN_SIGNING_BODIES)}. cn_signatory: {name_zh, name_en, title} with title one of ${list(CN_TITLES)} as held on the signing date (ministers: Zhou Yongkang 2002-2007, Meng Jianzhu 2007-2012, Guo Shengkun 2012-2017, Zhao Kezhi 2017-2022, Wang Xiaohong 2022-). cn_signatory_ministerial: true for minister or executive vice minister, false otherwise, null if unknown. When leaders only witnessed a signing (见证签署), the signatories are unknown unless named.
- counterpart_signatory: {name, rank} with rank one of ${list(COUNTERPART_RANKS)} (minister or secretary: ministerial; deputy: vice_ministerial).
- topics: codes from ${list(TOPICS)} named in the document's title or description, else in the readout; ["generic"] when none.
- evidence: [{field, quote}] with short quotes copied exactly from the page for the fields you coded.
- confidence: 0..1.
Answer with the JSON object only.`;

/** The user message: the page and what helps date it. */
export function userPrompt(text: string, url: string | null, published: string | null): string {
  return `Page URL: ${url ?? 'unknown'}\nPage date: ${published ?? 'unknown'}\n\nPage text:\n${text}`;
}

import { TOPICS, type Topic } from '../schemas/codes.js';
import raw from './data/topics.json' with { type: 'json' };
import { guard, KeywordMatcher } from './matcher.js';
import type { PreparedText, Span } from './text.js';

/**
 * Topics, coded from keyword lists in both scripts (data/topics.json). Callers pass only the
 * spans that describe the signing (title, signing sentence, the readout of the meeting), as
 * the researchers coded from titles and official descriptions, not from every sentence.
 */

type TopicCode = (typeof TOPICS)[number];

type TermRow = string | { readonly term: string; readonly rejectIfPreceded?: string };

interface TopicsFile {
  readonly topics: Readonly<
    Record<string, { readonly zh: readonly TermRow[]; readonly en: readonly TermRow[] }>
  >;
}

const data: TopicsFile = raw;

function asTopic(value: string): TopicCode {
  const t = TOPICS.find((x) => x === value);
  if (t === undefined)
    throw new TypeError(`Expected a topic from TOPICS in topics.json, got \`${value}\``);
  return t;
}

function buildMatcher(): KeywordMatcher<readonly TopicCode[]> {
  // A term listed under several topics (赌诈, 网络恐怖) counts for each of them.
  const byTerm = new Map<string, { topics: TopicCode[]; rejectIfPreceded: string | undefined }>();
  for (const [code, lists] of Object.entries(data.topics)) {
    const topic = asTopic(code);
    for (const row of [...lists.zh, ...lists.en]) {
      const term = (typeof row === 'string' ? row : row.term).toLowerCase();
      const rejectIfPreceded = typeof row === 'string' ? undefined : row.rejectIfPreceded;
      const entry = byTerm.get(term);
      if (entry === undefined) byTerm.set(term, { topics: [topic], rejectIfPreceded });
      else if (!entry.topics.includes(topic)) entry.topics.push(topic);
    }
  }
  return new KeywordMatcher(
    [...byTerm].map(([term, v]) => ({
      term,
      value: v.topics,
      rejectIfPreceded: guard(v.rejectIfPreceded),
    })),
    { caseInsensitive: true },
  );
}

const MATCHER = buildMatcher();

export interface TopicHit extends Span {
  readonly topic: TopicCode;
}

export interface TopicResult {
  readonly topics: Topic[];
  /** The first hit per topic, for evidence. */
  readonly hits: readonly TopicHit[];
}

/** Topics named in `spans` (in TOPICS order), or `['generic']` when none is. */
export function topicsIn(doc: PreparedText, spans: readonly Span[]): TopicResult {
  const first = new Map<TopicCode, TopicHit>();
  for (const span of spans) {
    for (const m of MATCHER.find(doc.lower, span.start, span.end)) {
      for (const topic of m.value) {
        if (!first.has(topic)) first.set(topic, { start: m.start, end: m.end, topic });
      }
    }
  }
  const topics: Topic[] = TOPICS.filter((t) => first.has(t));
  return {
    topics: topics.length === 0 ? ['generic'] : topics,
    hits: TOPICS.flatMap((t) => {
      const hit = first.get(t);
      return hit === undefined ? [] : [hit];
    }),
  };
}

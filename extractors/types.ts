import type { DocType } from '../schemas/codes.js';
import type { Sentence, Span } from './text.js';

/** One document named in a signing sentence. */
export interface DocMention {
  readonly type: DocType;
  /** The document term as written (谅解备忘录, memorandum of understanding), if any. */
  readonly term: string | null;
  readonly termSpan: Span | null;
  /** The 《…》 title without brackets. */
  readonly titleZh: string | null;
  /** Inner span of the 《…》 title. */
  readonly titleZhSpan: Span | null;
  readonly titleEn: string | null;
  readonly titleEnSpan: Span | null;
  /** The words that describe this document (its title or the phrase around its term). */
  readonly describes: Span;
  /** 见证签署 / witnessed the signing of: the people the sentence names did not sign it. */
  readonly witnessed: boolean;
  /** The verb that governs this document (the sentence may have several). */
  readonly verb: Span;
}

/** A sentence that reports a signing, with the documents it names. */
export interface SigningEvent {
  readonly sentence: Sentence;
  /** The signing verb (签署, signed …). */
  readonly verb: Span;
  /** 见证签署 / witnessed the signing: the named leaders did not sign themselves. */
  readonly witnessed: boolean;
  readonly docs: readonly DocMention[];
  /** The text before the sentence that still describes the same meeting. */
  readonly context: Span;
  /** Whether the sentence is the page headline. */
  readonly inHeadline: boolean;
  /** Whether a public-security term sits in the sentence or a title (not only in context). */
  readonly publicSecurityInSentence: boolean;
}

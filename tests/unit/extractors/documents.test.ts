import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';

/** English titles: where a capitalised document name ends. */

function titleOf(sentence: string): string | null {
  const r = extract({ text: sentence, published: '2024-05-10' }).agreements[0];
  if (r === undefined) throw new Error('no agreement extracted');
  return r.title_en;
}

const SIGNERS =
  'Jamaican Minister of National Security Horace Chang and Chinese Vice Minister of Public Security Liu Zhao on Thursday signed';

describe('English titles', () => {
  it('runs through "in" before a gerund and stops before the venue', () => {
    expect(
      titleOf(`${SIGNERS} the Agreement on Cooperation in Combating Cybercrime in Kingston.`),
    ).toBe('Agreement on Cooperation in Combating Cybercrime');
    expect(
      titleOf(`${SIGNERS} the Memorandum of Understanding on Police Cooperation in Jamaica today.`),
    ).toBe('Memorandum of Understanding on Police Cooperation');
    expect(
      titleOf(`${SIGNERS} the Protocol on Cooperation in the Field of Police Training in March.`),
    ).toBe('Protocol on Cooperation in the Field of Police Training');
  });

  it('keeps the period of a plan and a named route', () => {
    expect(
      titleOf(
        `${SIGNERS} the Plan of Action on Police Cooperation for 2026-2028 during the visit.`,
      ),
    ).toBe('Plan of Action on Police Cooperation for 2026-2028');
    expect(
      titleOf(
        `${SIGNERS} the Joint Declaration on Security Cooperation along the China-Laos Railway at the ceremony.`,
      ),
    ).toBe('Joint Declaration on Security Cooperation along the China-Laos Railway');
  });

  it('reads a list inside the name and the country of Chinese people abroad', () => {
    expect(
      titleOf(
        "Lusaka, 10 May 2024: Zambia's Ministry of Home Affairs and China's Ministry of Public Security on Thursday signed a Memorandum of Understanding on the Security of Chinese Nationals, Projects and Enterprises in Zambia at a ceremony in Lusaka.",
      ),
    ).toBe(
      'Memorandum of Understanding on the Security of Chinese Nationals, Projects and Enterprises in Zambia',
    );
  });
});

describe('English datelines', () => {
  it('resolves a weekday against a day-first dateline in the same line', () => {
    const r = extract({
      text: 'Lusaka, 10 May 2024: Zambia and China on Wednesday signed a memorandum of understanding on police training.',
      published: '2024-05-10',
    }).agreements[0];
    expect(r?.date_signed).toBe('2024-05-08');
  });
});

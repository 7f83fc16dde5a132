import { UserError } from '../core/errors.js';
import { ReleaseVersion } from '../schemas/release.js';

/**
 * The version rule of releases, checked when a release is cut. Against the latest release:
 * - major: the schema fingerprint changed (fields, types, codes of the record or the CSV);
 * - minor: same schema, records were added or removed;
 * - patch: same schema and the same records; only values changed.
 * A release identical to the latest is refused: there is nothing to release. The first release
 * may take any version.
 */
export type Bump = 'major' | 'minor' | 'patch';

export const VERSION_RULE =
  'major: schema change (the schema fingerprint differs); minor: same schema, records added or removed; patch: same schema and records, only values fixed';

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseVersion(version: string): SemVer {
  if (!ReleaseVersion.safeParse(version).success)
    throw new UserError(
      `Invalid release version \`${version}\`: expected major.minor.patch, e.g. 1.0.0`,
    );
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return { major, minor, patch };
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

export function bumpVersion(version: string, bump: Bump): string {
  const v = parseVersion(version);
  if (bump === 'major') return `${v.major + 1}.0.0`;
  if (bump === 'minor') return `${v.major}.${v.minor + 1}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}

export interface ChangeCounts {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
}

export interface RuleInput {
  /** The latest release, or null for the first release. */
  readonly previous: { readonly version: string; readonly fingerprint: string | null } | null;
  readonly fingerprint: string;
  readonly changes: ChangeCounts;
}

/** Which bump the changes call for, and why (one phrase); null when nothing changed. */
export function requiredBump(input: RuleInput): { bump: Bump; reason: string } | null {
  const { previous, changes } = input;
  if (previous === null) return null;
  // A release cut before fingerprints were kept has none: its schema is taken as unchanged.
  if (previous.fingerprint !== null && previous.fingerprint !== input.fingerprint)
    return { bump: 'major', reason: 'the schema changed' };
  if (changes.added > 0 || changes.removed > 0) {
    const parts = [
      changes.added > 0 ? `${changes.added} added` : '',
      changes.removed > 0 ? `${changes.removed} removed` : '',
    ].filter(Boolean);
    return { bump: 'minor', reason: `records ${parts.join(', ')}` };
  }
  if (changes.changed > 0) return { bump: 'patch', reason: `${changes.changed} records changed` };
  return null;
}

/**
 * Checks VERSION against the rule; returns the bump it stands for (null for a first release).
 * Throws a one-line UserError naming the version the release should have.
 */
export function checkVersionRule(version: string, input: RuleInput): Bump | null {
  parseVersion(version);
  const { previous } = input;
  if (previous === null) return null;
  const required = requiredBump(input);
  if (required === null)
    throw new UserError(
      `Nothing to release: the approved records are identical to release ${previous.version}`,
    );
  const expected = bumpVersion(previous.version, required.bump);
  if (version !== expected)
    throw new UserError(
      `Version ${version} breaks the version rule: since ${previous.version} ${required.reason} (a ${required.bump} change), so this release must be ${expected}`,
    );
  return required.bump;
}

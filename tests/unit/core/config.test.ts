import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV, loadConfig } from '../../../core/config.js';
import {
  decide,
  FatalError,
  NonRetryableError,
  RetryableError,
  UserError,
} from '../../../core/errors.js';
import { ROOT } from '../../helpers/cli.js';

describe('configuration', () => {
  it('documents in the README exactly the variables the config schema reads', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(CONFIG_ENV);
  });

  it('derives file locations from the data directory', () => {
    const c = loadConfig({ PACTWATCH_DATA_DIR: 'd' }, '/w');
    expect(c).toMatchObject({
      dataDir: '/w/d',
      dbFile: '/w/d/pactwatch.db',
      releasesDir: '/w/d/releases',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('rejects a bad log level with a message naming the variable', () => {
    expect(() => loadConfig({ PACTWATCH_LOG_LEVEL: 'loud' })).toThrow(UserError);
    expect(() => loadConfig({ PACTWATCH_LOG_LEVEL: 'loud' })).toThrow(/PACTWATCH_LOG_LEVEL/);
  });
});

describe('decide', () => {
  it('retries transient failures until the attempts run out, then records them', () => {
    const e = new RetryableError('HTTP_STATUS', '503');
    expect(decide(e, 1, 3)).toBe('retry');
    expect(decide(e, 3, 3)).toBe('record');
  });

  it('records permanent failures at once and stops on fatal ones', () => {
    expect(decide(new NonRetryableError('HTTP_STATUS', '404'), 1, 3)).toBe('record');
    expect(decide(new FatalError('STORAGE', 'disk'), 1, 3)).toBe('stop');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(decide(reset, 1, 3)).toBe('retry');
    const full = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    expect(decide(full, 1, 3)).toBe('stop');
  });
});

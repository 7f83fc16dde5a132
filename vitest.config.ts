import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real servers and SQLite files; two cores do not gain from more forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});

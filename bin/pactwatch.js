#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` via prepare).
import('../dist/cli/main.js')
  .then((m) => m.main(process.argv))
  .catch((err) => {
    process.stderr.write(
      `pactwatch: cannot start (${err?.message ?? err}); run \`npm run build\`\n`,
    );
    process.exit(70);
  });

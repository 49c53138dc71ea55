// Measurements in the browser, not tests of behaviour: `npx playwright test -c bench.config.ts`
// (scripts/wasm-size.sh runs it against a release build).
import { defineConfig } from '@playwright/test';

import base from './playwright.config.ts';

export default defineConfig({ ...base, testDir: './bench', workers: 1 });

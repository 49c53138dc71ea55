// Regenerates the README's screenshot: `npx playwright test -c screenshot.config.ts`.
import { defineConfig } from '@playwright/test';

import base from './playwright.config.ts';

export default defineConfig({ ...base, testDir: './docs', workers: 1 });

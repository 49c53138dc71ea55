// What a signed-in admin's first visit to the console transfers: a browser with an empty cache
// opens /admin/integrations and waits for it to hydrate; every response is counted as it went
// over the wire (headers and encoded body). Budget: 400 KB in all.
import { test, expect, signIn } from '../fixtures/index.ts';

const BUDGET = 400_000;

test('first visit to /admin/integrations', async ({ browser, page, accounts }) => {
  await signIn(page, accounts.admin);
  // A new context has the sign-in's cookies and nothing else: no cached file.
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const visit = await context.newPage();
  const rows: { url: string; encoding: string; bytes: number }[] = [];
  const counted: Promise<void>[] = [];
  visit.on('requestfinished', (request) => {
    counted.push(
      (async () => {
        const [sizes, response] = await Promise.all([request.sizes(), request.response()]);
        rows.push({
          url: new URL(request.url()).pathname,
          encoding: (await response?.headerValue('content-encoding')) ?? 'identity',
          bytes: sizes.responseHeadersSize + sizes.responseBodySize,
        });
      })(),
    );
  });
  await visit.goto('/admin/integrations');
  await expect(visit.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await visit.waitForLoadState('networkidle');
  await Promise.all(counted);
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  const lines = rows.map((row) => `${row.url.padEnd(40)} ${row.encoding.padEnd(9)} ${String(row.bytes).padStart(9)} B`);
  console.log(
    [
      'first visit to /admin/integrations, empty cache, as Chromium received it:',
      ...lines,
      `${'total'.padEnd(50)} ${String(total).padStart(9)} B (budget ${BUDGET} B: ${total <= BUDGET ? 'met' : 'not met'})`,
    ].join('\n'),
  );
  await context.close();
});

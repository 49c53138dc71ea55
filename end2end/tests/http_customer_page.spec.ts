// A deployment's allowed domains mean https pages: the same host on plain http (which anyone on
// the visitor's network can impersonate) gets no messenger, unless the admin writes http://
// in front, and then the console warns about it.
import { signIn, test, expect } from '../fixtures/index.ts';
import { siteWithMessenger } from '../fixtures/messenger.ts';

// playwright.config.ts maps this name to loopback; unlike `*.localhost` it is not this
// machine to the browser, so http pages on it are as exposed as on any other site.
const HOST = 'shop.example';

test('a customer page on plain http gets the messenger only when http is written out', async ({
  page,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const appearance = { primaryColor: '#0f766e', launcherLabel: 'Ask us', greeting: 'Hi from the shop' };
  const { deploymentId, site } = await siteWithMessenger(
    request,
    switchboard,
    provider.issuer,
    appearance,
    [HOST],
    `${test.info().workerIndex}-${Date.now()}`,
  );
  try {
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await page.goto(site.url(HOST));
    await expect.poll(() => warnings.filter((text) => text.startsWith('Switchboard messenger')).length).toBe(1);
    await expect(page.getByRole('button', { name: 'Ask us' })).toHaveCount(0);
    // The frame itself refuses that origin too.
    const origin = new URL(site.url(HOST)).origin;
    const frame = await request.get(`/messenger/frame?deployment=${deploymentId}&origin=${encodeURIComponent(origin)}`);
    expect(frame.status()).toBe(403);

    // The admin writes the scheme out: the page gets its messenger, and the console warns.
    await signIn(page, accounts.admin);
    await page.goto(`/admin/messenger/deployments/${deploymentId}`);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await page.getByLabel('Allowed domains').fill(`http://${HOST}`);
    await expect(page.getByRole('status').filter({ hasText: 'plain http' })).toContainText(`http://${HOST}`);
    const [saved] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('save_deployment') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    expect(saved.status()).toBe(200);
    await page.reload();
    await expect(page.getByLabel('Allowed domains')).toHaveValue(`http://${HOST}`);
    await expect(page.getByRole('status').filter({ hasText: 'plain http' })).toBeVisible();

    await page.goto(site.url(HOST));
    const launcher = page.getByRole('button', { name: 'Ask us' });
    await expect(launcher).toBeVisible();
    await launcher.click();
    await expect(page.frameLocator('iframe[title="Ask us"]').getByText(appearance.greeting)).toBeVisible();
  } finally {
    await site.stop();
  }
});

// A visitor on the customer's site opens the messenger and signs in with the company's provider;
// a site outside the deployment's allowed domains gets no messenger.
import AxeBuilder from '@axe-core/playwright';

import { adminToken, deployedMessenger, integration } from '../fixtures/api.ts';
import { startCustomerSite } from '../fixtures/customer-site.ts';
import { TEST_USER, test, expect } from '../fixtures/index.ts';

test('a visitor signs in through the provider from the messenger on a customer page', async ({
  page,
  request,
  provider,
  switchboard,
}) => {
  const suffix = `${test.info().workerIndex}-${Date.now()}`;
  const token = adminToken(switchboard, `visitor-${suffix}`);
  const integrationId = await integration(request, token, `Company SSO ${suffix}`, provider.issuer, true);
  const appearance = { primaryColor: '#0f766e', launcherLabel: 'Chat with us', greeting: 'Hello! How can we help?' };
  const { snippet } = await deployedMessenger(request, token, integrationId, appearance, ['customer.localhost']);
  const site = await startCustomerSite(snippet);
  try {
    await page.goto(site.url('customer.localhost'));
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    await expect(launcher).toBeVisible();
    await expect(launcher).toHaveCSS('background-color', 'rgb(15, 118, 110)');
    // The page's own button style does not reach the launcher, and the loader adds one global.
    expect(await page.evaluate(() => Object.keys(window).filter((key) => key.startsWith('Switchboard')))).toEqual([
      'Switchboard',
    ]);

    await launcher.click();
    const frame = page.frameLocator('iframe[title="Chat with us"]');
    await expect(frame.getByText(appearance.greeting)).toBeVisible();
    // axe looks into the frame too.
    const scan = await new AxeBuilder({ page }).analyze();
    const serious = scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`)).toEqual([]);
    const popupOpened = page.waitForEvent('popup');
    await frame.getByRole('button', { name: 'Sign in' }).click();
    const popup = await popupOpened;
    await popup.getByLabel('Username').fill(TEST_USER.username);
    await popup.getByLabel('Password').fill(TEST_USER.password);
    const closed = popup.waitForEvent('close');
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await closed;
    await expect(frame.getByText(`Signed in as ${TEST_USER.name}`)).toBeVisible();
    await expect(frame.getByRole('button', { name: 'Sign in' })).toBeHidden();

    // A reload keeps the session.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await expect(frame.getByText(`Signed in as ${TEST_USER.name}`)).toBeVisible();

    await frame.getByRole('button', { name: 'Sign out' }).click();
    await expect(frame.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(frame.getByText(`Signed in as ${TEST_USER.name}`)).toBeHidden();
    await expect(frame.getByRole('link', { name: 'Also sign out of your identity provider' })).toBeVisible();

    // The admin's sign-in log has the attempt, with the user's subject.
    const log = await request.get(`/api/v2/integrations/${integrationId}/signins`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const attempts = await log.json();
    expect(attempts[0]).toMatchObject({ succeeded: true, purpose: 'visitor', subject: TEST_USER.subject });

    // Another site is not in the allowed domains: no launcher, one warning.
    const intruder = await page.context().newPage();
    const warnings: string[] = [];
    intruder.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await intruder.goto(site.url('intruder.localhost'));
    await expect.poll(() => warnings.filter((text) => text.startsWith('Switchboard messenger')).length).toBe(1);
    await expect(intruder.getByRole('button', { name: 'Chat with us' })).toHaveCount(0);
  } finally {
    await site.stop();
  }
});

// A signed-in visitor is one person: their history follows them to a second device, a message
// from one device appears on the other at once, and the agent's typing and "Seen" reach the
// messenger. An email the provider does not vouch for is shown as unverified.
import type { FrameLocator, Page } from '@playwright/test';

import { TEST_USER, UNVERIFIED_USER, test, expect, signIn } from '../fixtures/index.ts';
import { signInInPopup, siteWithMessenger } from '../fixtures/messenger.ts';

const LAUNCHER = 'Chat with Acme';
const APPEARANCE = { primaryColor: '#0f766e', launcherLabel: LAUNCHER, greeting: 'Hello from Acme' };

/** Opens the messenger at `url` on `page` and signs in as `user`. */
async function signInOnDevice(
  page: Page,
  url: string,
  user: { username: string; password: string; name: string },
): Promise<FrameLocator> {
  await page.goto(url);
  await page.getByRole('button', { name: LAUNCHER }).click();
  const frame = page.frameLocator(`iframe[title="${LAUNCHER}"]`);
  await signInInPopup(page, frame, user);
  return frame;
}

function messenger(
  request: Parameters<typeof siteWithMessenger>[0],
  switchboard: Parameters<typeof siteWithMessenger>[1],
  issuer: string,
) {
  const suffix = `${test.info().workerIndex}-${Date.now()}`;
  return siteWithMessenger(request, switchboard, issuer, APPEARANCE, ['customer.localhost'], suffix);
}

test('the history follows a signed-in visitor to a second device, live', async ({
  page,
  context,
  browser,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const { suffix, site } = await messenger(request, switchboard, provider.issuer);
  const phoneContext = await browser.newContext();
  try {
    const laptop = await signInOnDevice(page, site.url('customer.localhost'), TEST_USER);
    const first = `Written on the laptop ${suffix}`;
    await laptop.getByLabel('Message').fill(first);
    await laptop.getByLabel('Message').press('Enter');
    await expect(laptop.getByRole('listitem').filter({ hasText: first })).toContainText('Sent');

    // Another device: its own browser, no shared storage; the same company account.
    const phonePage = await phoneContext.newPage();
    const phone = await signInOnDevice(phonePage, site.url('customer.localhost'), TEST_USER);
    await expect(phone.getByRole('listitem').filter({ hasText: first })).toBeVisible();

    const second = `And this on the phone ${suffix}`;
    await phone.getByLabel('Message').fill(second);
    await phone.getByLabel('Message').press('Enter');
    // The laptop sees it without a reload.
    await expect(laptop.getByRole('listitem').filter({ hasText: second })).toBeVisible();

    // The agent opens the one conversation: reading it shows "Seen", typing shows on the devices.
    const agent = await context.newPage();
    await signIn(agent, accounts.admin);
    await agent.goto('/admin/conversations');
    // This worker's other tests talk to the same person on other deployments: open the newest.
    await agent.getByRole('link', { name: TEST_USER.name }).first().click();
    await expect(agent.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(agent.getByTestId('messages')).toContainText(first);
    await expect(agent.getByTestId('messages')).toContainText(second);
    await expect(phone.getByRole('listitem').filter({ hasText: second })).toContainText('Seen');
    await expect(laptop.getByRole('listitem').filter({ hasText: second })).toContainText('Seen');

    await agent.getByLabel('Reply').pressSequentially('On it', { delay: 20 });
    await expect(phone.getByText('Agent is typing…')).toBeVisible();
    await expect(laptop.getByText('Agent is typing…')).toBeVisible();
    await agent.getByRole('button', { name: 'Send' }).click();
    await expect(phone.getByRole('listitem').filter({ hasText: 'On it' })).toBeVisible();
    await expect(laptop.getByRole('listitem').filter({ hasText: 'On it' })).toBeVisible();
    await expect(phone.getByText('Agent is typing…')).toBeHidden();

    // The visitor typing shows in the console.
    await laptop.getByLabel('Message').pressSequentially('Thanks', { delay: 20 });
    await expect(agent.getByText('Visitor is typing…')).toBeVisible();
  } finally {
    await phoneContext.close();
    await site.stop();
  }
});

test('an email the provider does not vouch for is shown as unverified', async ({
  page,
  context,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const { suffix, site } = await messenger(request, switchboard, provider.issuer);
  try {
    const frame = await signInOnDevice(page, site.url('customer.localhost'), UNVERIFIED_USER);
    const text = `Please reset my password ${suffix}`;
    await frame.getByLabel('Message').fill(text);
    await frame.getByLabel('Message').press('Enter');
    await expect(frame.getByRole('listitem').filter({ hasText: text })).toContainText('Sent');

    const agent = await context.newPage();
    await signIn(agent, accounts.admin);
    await agent.goto('/admin/conversations');
    await agent.getByRole('link', { name: UNVERIFIED_USER.name }).first().click();
    const identity = agent.getByTestId('identity');
    await expect(identity).toContainText(`${UNVERIFIED_USER.email} (unverified)`);
    await expect(identity).toContainText(UNVERIFIED_USER.subject);
  } finally {
    await site.stop();
  }
});

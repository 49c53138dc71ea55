// A signed-in visitor writes from the customer's page; the agent sees the verified identity in the
// console, replies, and the reply reaches the messenger at once. Reloads keep the history; signing
// out forgets it when the configuration says so; the visitor can download a transcript.
import { readFile } from 'node:fs/promises';

import { adminToken, deployedMessenger, integration } from '../fixtures/api.ts';
import { startCustomerSite } from '../fixtures/customer-site.ts';
import { TEST_USER, test, expect, signIn } from '../fixtures/index.ts';
import { signInInPopup } from '../fixtures/messenger.ts';

test('a signed-in visitor and an agent chat in real time', async ({
  page,
  context,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const suffix = `${test.info().workerIndex}-${Date.now()}`;
  const token = adminToken(switchboard, `chat-${suffix}`);
  const integrationId = await integration(request, token, `Company SSO ${suffix}`, provider.issuer, true);
  const appearance = { primaryColor: '#1d4ed8', launcherLabel: 'Talk to support', greeting: 'Hi! Ask away.' };
  const { snippet } = await deployedMessenger(request, token, integrationId, appearance, ['customer.localhost'], {
    clearOnSignOut: true,
  });
  const site = await startCustomerSite(snippet);
  try {
    await page.goto(site.url('customer.localhost'));
    await page.getByRole('button', { name: 'Talk to support' }).click();
    const frame = page.frameLocator('iframe[title="Talk to support"]');
    await expect(frame.getByLabel('Message')).toBeDisabled();
    await expect(frame.getByText('Sign in to send a message.')).toBeVisible();
    await signInInPopup(page, frame, TEST_USER);

    const question = `Where is my order ${suffix}? <b>not bold</b>`;
    await frame.getByLabel('Message').fill(question);
    await frame.getByLabel('Message').press('Enter');
    const sent = frame.getByRole('listitem').filter({ hasText: question });
    await expect(sent).toContainText('Sent');
    await expect(frame.locator('b')).toHaveCount(0);

    // The agent's side.
    const agent = await context.newPage();
    await signIn(agent, accounts.admin);
    await agent.goto('/admin/conversations');
    const row = agent.getByRole('listitem').filter({ hasText: TEST_USER.name });
    await expect(row).toContainText('Verified');
    await expect(row).toContainText(`${provider.issuer} · ${TEST_USER.subject}`);
    await expect(row).toContainText('1 unread');
    await row.getByRole('link', { name: TEST_USER.name }).click();
    await expect(agent.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const identity = agent.getByTestId('identity');
    await expect(identity).toContainText('Verified');
    for (const value of [TEST_USER.email, TEST_USER.subject, provider.issuer, TEST_USER.name]) {
      await expect(identity).toContainText(value);
    }
    await expect(agent.getByTestId('messages')).toContainText(question);

    const answer = `It ships today (${suffix}).`;
    await agent.getByLabel('Reply').fill(answer);
    await agent.getByRole('button', { name: 'Send' }).click();
    await expect(agent.getByLabel('Reply')).toHaveValue('');
    await expect(agent.getByTestId('messages')).toContainText(answer);
    // The visitor sees the reply without doing anything.
    await expect(frame.getByRole('listitem').filter({ hasText: answer })).toBeVisible();

    // A visitor message reaches the open console page without a reload.
    await frame.getByLabel('Message').fill('Thanks!');
    await frame.getByRole('button', { name: 'Send' }).click();
    await expect(agent.getByTestId('messages')).toContainText('Thanks!');

    // Reloads on both sides show the whole history.
    await page.reload();
    await page.getByRole('button', { name: 'Talk to support' }).click();
    for (const text of [question, answer, 'Thanks!']) {
      await expect(frame.getByRole('listitem').filter({ hasText: text })).toBeVisible();
    }
    await agent.reload();
    for (const text of [question, answer, 'Thanks!']) {
      await expect(agent.getByTestId('messages')).toContainText(text);
    }

    // The visitor keeps a copy: the whole conversation, and who they were signed in as.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      frame.getByRole('button', { name: 'Download transcript' }).click(),
    ]);
    const transcript = await readFile((await download.path())!, 'utf8');
    for (const text of [question, answer, 'Thanks!', TEST_USER.name, TEST_USER.email, provider.issuer]) {
      expect(transcript).toContain(text);
    }

    // "Clear conversation on sign-out": the shared device keeps nothing.
    await frame.getByRole('button', { name: 'Sign out' }).click();
    await expect(frame.getByRole('listitem').filter({ hasText: question })).toHaveCount(0);
    await expect(frame.getByText(appearance.greeting)).toBeVisible();
  } finally {
    await site.stop();
  }
});

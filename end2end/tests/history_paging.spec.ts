// A long conversation opens with its latest messages; the visitor scrolls up and the agent asks
// for more to page back to the beginning.
import { TEST_USER, test, expect, signIn } from '../fixtures/index.ts';
import { signInInPopup, siteWithMessenger } from '../fixtures/messenger.ts';

test('a long history pages back in the messenger and in the console', async ({
  page,
  context,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const appearance = { primaryColor: '#7c3aed', launcherLabel: 'Long chat', greeting: 'Welcome back' };
  const { suffix, token, site } = await siteWithMessenger(
    request,
    switchboard,
    provider.issuer,
    appearance,
    ['customer.localhost'],
    `${test.info().workerIndex}-${Date.now()}`,
  );
  const headers = { Authorization: `Bearer ${token}` };
  try {
    await page.goto(site.url('customer.localhost'));
    await page.getByRole('button', { name: 'Long chat' }).click();
    const frame = page.frameLocator('iframe[title="Long chat"]');
    await signInInPopup(page, frame, TEST_USER);
    const first = `The very first question ${suffix}`;
    await frame.getByLabel('Message').fill(first);
    await frame.getByLabel('Message').press('Enter');
    await expect(frame.getByRole('listitem').filter({ hasText: first })).toContainText('Sent');

    const inbox = await (await request.get('/api/v2/conversations', { headers })).json();
    const conversation = inbox[0].id as string;
    for (let n = 1; n <= 70; n++) {
      const reply = await request.post(`/api/v2/conversations/${conversation}/messages`, {
        headers,
        data: { text: `Reply number ${n}` },
      });
      expect(reply.status()).toBe(201);
    }

    // The messenger opens with the latest page; scrolling to the top brings the rest.
    await page.reload();
    await page.getByRole('button', { name: 'Long chat' }).click();
    await expect(frame.getByText('Reply number 70', { exact: true })).toBeVisible();
    await expect(frame.getByText(first)).toHaveCount(0);
    await frame.locator('#scroll').evaluate((scroller) => {
      scroller.scrollTop = 0;
    });
    await expect(frame.getByText(first)).toBeVisible();
    await expect(frame.getByText('Reply number 1', { exact: true })).toBeVisible();

    // The console pages the same way.
    const agent = await context.newPage();
    await signIn(agent, accounts.admin);
    await agent.goto(`/admin/conversations/${conversation}`);
    await expect(agent.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const messages = agent.getByTestId('messages');
    await expect(messages).toContainText('Reply number 70');
    await expect(messages).not.toContainText(first);
    await agent.getByRole('button', { name: 'Load older messages' }).click();
    await expect(messages).toContainText(first);
    await expect(agent.getByRole('button', { name: 'Load older messages' })).toHaveCount(0);
  } finally {
    await site.stop();
  }
});

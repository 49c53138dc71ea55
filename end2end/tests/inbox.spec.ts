// Agents share the inbox: one takes a conversation, the other sees it taken; the inbox's parts
// and search find it; a half-typed reply survives messages arriving; a visitor message shows
// at once, with a notification; the console downloads a transcript.
import { readFile } from 'node:fs/promises';

import type { APIRequestContext, Browser, FrameLocator, Page } from '@playwright/test';

import { ADMIN_PASSWORD, TEST_USER, test, expect, signIn } from '../fixtures/index.ts';
import { signInInPopup, siteWithMessenger } from '../fixtures/messenger.ts';
import type { Switchboard } from '../fixtures/switchboard.ts';

const LAUNCHER = 'Ask the team';
const APPEARANCE = { primaryColor: '#be123c', launcherLabel: LAUNCHER, greeting: 'We are here' };

/** A console of its own (cookies and all) for `email`, signed in. */
async function agentConsole(browser: Browser, baseURL: string, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

/** Makes the page look hidden (another tab in front) or shown to its scripts, as switching tabs does. */
function setHidden(agent: Page, hidden: boolean) {
  return agent.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}

/** The answer to the console's next word on whether its tab is in use: the admin's presence. */
async function tabSays(agent: Page, inUse: boolean) {
  const answer = await agent.waitForResponse(
    (response) =>
      response.url().includes('/api/tab_in_use') && (response.request().postData() ?? '').includes(`in_use=${inUse}`),
  );
  return answer.json();
}

/** A customer's page with a messenger of its own (the sign-in required), named for this test. */
function customerSite(request: APIRequestContext, switchboard: Switchboard, issuer: string) {
  const suffix = `${test.info().workerIndex}-${Date.now()}`;
  return siteWithMessenger(request, switchboard, issuer, APPEARANCE, ['customer.localhost'], suffix);
}

/** The test user, signed in through the messenger on the customer's page. */
async function signedInVisitor(page: Page, site: { url(host: string): string }): Promise<FrameLocator> {
  await page.goto(site.url('customer.localhost'));
  await page.getByRole('button', { name: LAUNCHER }).click();
  const frame = page.frameLocator(`iframe[title="${LAUNCHER}"]`);
  await signInInPopup(page, frame, TEST_USER);
  return frame;
}

/** The visitor sends `text` from the messenger. */
async function say(frame: FrameLocator, text: string) {
  await frame.getByLabel('Message').fill(text);
  await frame.getByLabel('Message').press('Enter');
}

test('one agent assigns a conversation to herself and the other sees it taken', async ({
  page,
  browser,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  // Three browser contexts, an admin made with the CLI and two console sign-ins.
  test.slow();
  const { suffix, site } = await customerSite(request, switchboard, provider.issuer);
  const second = `second-${suffix}@example.com`;
  switchboard.cli(['admin', 'create', '--email', second, '--role', 'admin'], `${ADMIN_PASSWORD}\n`);
  const ada = await agentConsole(browser, switchboard.baseURL, accounts.admin);
  const bob = await agentConsole(browser, switchboard.baseURL, second);
  try {
    const frame = await signedInVisitor(page, site);
    const question = `Parcel ${suffix} went missing`;
    await say(frame, question);
    await expect(frame.getByRole('listitem').filter({ hasText: question })).toContainText('Sent');

    // Bob finds it with the search box, among the unassigned.
    await bob.goto('/admin/conversations?filter=unassigned');
    await expect(bob.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await bob.getByLabel('Search').fill(`parcel ${suffix}`);
    await bob.getByRole('button', { name: 'Search' }).click();
    await expect(bob).toHaveURL(/filter=unassigned/);
    const bobsRow = bob.getByRole('listitem').filter({ hasText: TEST_USER.name });
    await expect(bobsRow).toHaveCount(1);
    await expect(bobsRow.getByTestId('assignee')).toHaveText('Unassigned');

    // Ada takes it.
    await ada.goto(`/admin/conversations?q=${suffix}`);
    await ada.getByRole('link', { name: TEST_USER.name }).click();
    await expect(ada.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(ada.getByTestId('messages')).toContainText(question);
    await ada.getByRole('button', { name: 'Assign to me' }).click();
    await expect(ada.getByTestId('assignee')).toHaveText(accounts.admin);
    await expect(ada.getByRole('button', { name: 'Assign to me' })).toBeDisabled();

    // Bob's unassigned list lets it go without a reload; "All" says who has it.
    await expect(bobsRow).toHaveCount(0);
    await bob.getByRole('link', { name: 'All', exact: true }).click();
    await expect(bob).toHaveURL(/filter=all/);
    await expect(bobsRow.getByTestId('assignee')).toHaveText(`Assigned to ${accounts.admin}`);
    await ada.goto(`/admin/conversations?filter=mine&q=${suffix}`);
    await expect(ada.getByRole('listitem').filter({ hasText: TEST_USER.name })).toHaveCount(1);

    // Bob hands it to himself through the list of agents; Ada's page follows.
    await bobsRow.getByRole('link', { name: TEST_USER.name }).click();
    await expect(bob.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(bob.getByTestId('assignee')).toHaveText(accounts.admin);
    await bob.getByLabel('Assign to').selectOption({ label: second });
    await bob.getByRole('button', { name: 'Assign', exact: true }).click();
    await expect(bob.getByTestId('assignee')).toHaveText(second);
    await expect(ada.getByRole('listitem').filter({ hasText: TEST_USER.name })).toHaveCount(0);
  } finally {
    await ada.context().close();
    await bob.context().close();
    await site.stop();
  }
});

test('a canned reply goes in with /name, a half-typed reply survives messages arriving, the transcript downloads', async ({
  page,
  context,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const { suffix, token, site } = await customerSite(request, switchboard, provider.issuer);
  const name = `ship${suffix.replace(/-/g, '')}`;
  const canned = `Your parcel ships within two days (${suffix}).`;
  try {
    const frame = await signedInVisitor(page, site);
    const question = `When does order ${suffix} ship?`;
    await say(frame, question);
    await expect(frame.getByRole('listitem').filter({ hasText: question })).toContainText('Sent');

    // An admin adds the canned reply in the console.
    const agent = await context.newPage();
    await signIn(agent, accounts.admin);
    await agent.goto('/admin/canned-replies');
    await expect(agent.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await agent.getByLabel('Name').fill(`Bad Name ${suffix}`);
    await agent.getByLabel('Text').fill(canned);
    await agent.getByRole('button', { name: 'Add reply' }).click();
    await expect(agent.getByText('lowercase letters, digits, - and _ only')).toBeVisible();
    await expect(agent.getByLabel('Text')).toHaveValue(canned);
    await agent.getByLabel('Name').fill(name);
    await agent.getByRole('button', { name: 'Add reply' }).click();
    await expect(agent.getByRole('list', { name: 'Canned replies' })).toContainText(`/${name}`);

    // In the reply box, `/` and the start of the name offer it; Tab puts it in.
    await agent.goto(`/admin/conversations?q=${suffix}`);
    await agent.getByRole('link', { name: TEST_USER.name }).click();
    await expect(agent.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const reply = agent.getByLabel('Reply');
    await reply.click();
    await agent.keyboard.type(`Hello! /${name.slice(0, 6)}`);
    const offered = agent.getByRole('list', { name: 'Canned replies' });
    await expect(offered).toContainText(canned);
    await agent.keyboard.press('Tab');
    await expect(reply).toHaveValue(`Hello! ${canned}`);
    await expect(offered).toHaveCount(0);
    await agent.getByRole('button', { name: 'Send' }).click();
    await expect(frame.getByRole('listitem').filter({ hasText: canned })).toBeVisible();

    // The agent starts a reply; the visitor writes twice meanwhile; typing goes on where it was.
    await reply.click();
    await agent.keyboard.type('Let me check');
    for (const text of [`First follow-up ${suffix}`, `Second follow-up ${suffix}`]) {
      await say(frame, text);
      await expect(agent.getByTestId('messages')).toContainText(text);
    }
    await agent.keyboard.type(' with the warehouse.');
    await expect(reply).toHaveValue('Let me check with the warehouse.');
    await expect(reply).toBeFocused();

    // The whole conversation downloads from the console: the visitor, then every message.
    const [download] = await Promise.all([
      agent.waitForEvent('download'),
      agent.getByRole('link', { name: 'Download as text' }).click(),
    ]);
    const transcript = await readFile((await download.path())!, 'utf8');
    for (const text of [TEST_USER.name, TEST_USER.email, question, canned, `Second follow-up ${suffix}`]) {
      expect(transcript).toContain(text);
    }

    // Scripts read the same replies.
    const listed = await request.get('/api/v2/canned-replies', { headers: { Authorization: `Bearer ${token}` } });
    expect((await listed.json()).map((r: { name: string }) => r.name)).toContain(name);
  } finally {
    await site.stop();
  }
});

test('a visitor message shows at once: the inbox, the waiting count, a notification and the tab title', async ({
  page,
  browser,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const { suffix, site } = await customerSite(request, switchboard, provider.issuer);
  // The agent allowed notifications; each one the console shows is noted as the real one is made.
  const context = await browser.newContext({ baseURL: switchboard.baseURL, permissions: ['notifications'] });
  await context.addInitScript(() => {
    const Native = window.Notification;
    const shown: { title: string; body?: string }[] = [];
    class Noted extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body });
      }
    }
    Object.defineProperty(Noted, 'permission', { get: () => Native.permission });
    Object.assign(window, { Notification: Noted, shownNotifications: shown });
  });
  const shown = (agent: Page) =>
    agent.evaluate(() => (window as unknown as { shownNotifications: { title: string; body?: string }[] }).shownNotifications);
  const agent = await context.newPage();
  try {
    await signIn(agent, accounts.admin);
    await agent.goto('/admin/conversations');
    await expect(agent.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(agent.getByTestId('notifications')).toHaveText(/Notifications on/);
    const badge = agent.getByRole('navigation', { name: 'Main' }).getByTestId('unread-conversations');
    const waiting = async () => ((await badge.count()) ? Number.parseInt((await badge.innerText()) || '0', 10) : 0);
    const before = await waiting();

    const frame = await signedInVisitor(page, site);
    const question = `Is order ${suffix} on its way?`;
    await say(frame, question);

    // Without a reload: the conversation in the list, one more waiting, a notification.
    await expect(agent.getByRole('listitem').filter({ hasText: TEST_USER.name }).first()).toBeVisible();
    await expect.poll(waiting).toBe(before + 1);
    await expect
      .poll(async () => (await shown(agent)).find((n) => n.body === question))
      .toEqual({ title: `New message from ${TEST_USER.name}`, body: question });
    await expect(agent).toHaveTitle('Conversations · Switchboard');

    // In the background, the tab's title counts what arrives; back in front, it stops.
    await setHidden(agent, true);
    const later = `Still waiting on ${suffix}`;
    await say(frame, later);
    await expect(agent).toHaveTitle('(1) Conversations · Switchboard');
    await setHidden(agent, false);
    await expect(agent).toHaveTitle('Conversations · Switchboard');

    // Opening the conversation reads it: the count goes back down.
    await agent.getByRole('link', { name: TEST_USER.name }).first().click();
    await expect(agent.getByTestId('messages')).toContainText(later);
    await expect.poll(waiting).toBe(before);
  } finally {
    await context.close();
    await site.stop();
  }
});

test('an agent is online while her console tab is in use, until she sets herself away', async ({
  page,
  browser,
  request,
  provider,
  switchboard,
}) => {
  const { suffix, site } = await customerSite(request, switchboard, provider.issuer);
  // An admin of this test's own, so no other test's tabs speak for her.
  const email = `present-${suffix}@example.com`;
  switchboard.cli(['admin', 'create', '--email', email, '--role', 'admin'], `${ADMIN_PASSWORD}\n`);
  const agent = await agentConsole(browser, switchboard.baseURL, email);
  try {
    // Her console, shown, says its tab is in use: that makes her online. A second page in the
    // same tab is the same tab, not another one still in use.
    const first = tabSays(agent, true);
    await agent.goto('/admin/integrations');
    expect(await first).toEqual({ away: false, online: true });
    const inUse = tabSays(agent, true);
    await agent.goto('/admin/conversations');
    expect(await inUse).toEqual({ away: false, online: true });
    await expect(agent.getByTestId('presence')).toHaveText('Online');

    // The messenger's greeting says so.
    await page.goto(site.url('customer.localhost'));
    await page.getByRole('button', { name: LAUNCHER }).click();
    const frame = page.frameLocator(`iframe[title="${LAUNCHER}"]`);
    await expect(frame.locator('#availability')).toHaveText('An agent is online and will answer shortly.');

    // Her tab in the background no longer counts, until she comes back to it.
    const hidden = tabSays(agent, false);
    await setHidden(agent, true);
    expect(await hidden).toEqual({ away: false, online: false });
    const back = tabSays(agent, true);
    await setHidden(agent, false);
    expect(await back).toEqual({ away: false, online: true });

    await agent.getByRole('button', { name: 'Set away' }).click();
    await expect(agent.getByTestId('presence')).toHaveText('Away');
    await agent.reload();
    await expect(agent.getByTestId('presence')).toHaveText('Away');
    await agent.getByRole('button', { name: 'Go online' }).click();
    await expect(agent.getByTestId('presence')).toHaveText('Online');
  } finally {
    await agent.context().close();
    await site.stop();
  }
});

// A 1×1 PNG, so the browsers decode a real picture.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('files go both ways: the visitor’s image is previewed in the console, the agent’s PDF reaches the messenger', async ({
  page,
  browser,
  request,
  provider,
  switchboard,
  accounts,
}) => {
  const { suffix, site } = await customerSite(request, switchboard, provider.issuer);
  const agent = await agentConsole(browser, switchboard.baseURL, accounts.admin);
  try {
    const frame = await signedInVisitor(page, site);
    await say(frame, `Damaged parcel ${suffix}`);
    await frame.locator('#file').setInputFiles({ name: `parcel-${suffix}.png`, mimeType: 'image/png', buffer: PIXEL });
    const picture = frame.getByRole('img', { name: `parcel-${suffix}.png` });
    await expect(picture).toBeVisible();
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);

    // A renamed program is refused in the messenger with the reason.
    await frame.locator('#file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('MZ\x90\x00\x03') });
    await expect(frame.getByRole('listitem').filter({ hasText: 'photo.png' })).toContainText('whatever its name says');

    // The agent sees the picture itself in the conversation.
    await agent.goto(`/admin/conversations?q=${suffix}`);
    await agent.getByRole('link', { name: TEST_USER.name }).click();
    await expect(agent.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const preview = agent.getByTestId('messages').getByRole('img', { name: `parcel-${suffix}.png` });
    await expect(preview).toBeVisible();
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);

    // The agent sends a PDF; the visitor can download it.
    await agent.getByLabel('Attach a file').setInputFiles({
      name: `invoice-${suffix}.pdf`,
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'latin1'),
    });
    await expect(agent.getByTestId('messages')).toContainText(`invoice-${suffix}.pdf (PDF document`);
    const offered = frame.getByRole('button', { name: new RegExp(`invoice-${suffix}\\.pdf`) });
    await expect(offered).toBeVisible();
    const downloaded = page.waitForEvent('download');
    await offered.click();
    expect((await downloaded).suggestedFilename()).toBe(`invoice-${suffix}.pdf`);
  } finally {
    await agent.context().close();
    await site.stop();
  }
});

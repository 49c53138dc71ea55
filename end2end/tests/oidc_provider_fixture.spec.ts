// The provider fixture the sign-in issues build on: discovery is served, PKCE is enforced, and a
// scripted browser login yields a signed ID token for the test user.
import { createHash, randomBytes } from 'node:crypto';

import { test, expect, TEST_CLIENT, TEST_USER } from '../fixtures/index.ts';

const base64url = (bytes: Buffer) => bytes.toString('base64url');

test('discovery names the issuer, PKCE S256 and the endpoints', async ({ request, provider }) => {
  const response = await request.get(`${provider.issuer}/.well-known/openid-configuration`);
  expect(response.status()).toBe(200);
  const discovery = await response.json();
  expect(discovery.issuer).toBe(provider.issuer);
  expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
  for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint']) {
    expect(discovery[endpoint], endpoint).toMatch(new RegExp(`^${provider.issuer}/`));
  }
  const jwks = await (await request.get(discovery.jwks_uri)).json();
  expect(jwks.keys.map((key: { kid: string }) => key.kid)).toEqual(['fixture-rs256']);
});

test('a scripted login yields an ID token for the test user', async ({ page, request, provider }) => {
  const discovery = await (await request.get(`${provider.issuer}/.well-known/openid-configuration`)).json();
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: TEST_CLIENT.clientId,
    redirect_uri: provider.fixtureRedirectUri,
    response_type: 'code',
    scope: 'openid profile email groups',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  await page.goto(authorize.toString());
  await page.getByLabel('Username').fill(TEST_USER.username);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await page.getByLabel('Username').fill(TEST_USER.username);
  await page.getByLabel('Password').fill(TEST_USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.href.startsWith(provider.fixtureRedirectUri));
  const callback = new URL(page.url());
  expect(callback.searchParams.get('state')).toBe(state);
  expect(callback.searchParams.get('iss')).toBe(provider.issuer);
  const code = callback.searchParams.get('code');
  expect(code).toBeTruthy();

  const basic = Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString('base64');
  const exchange = (form: Record<string, string>) =>
    request.post(discovery.token_endpoint, { headers: { authorization: `Basic ${basic}` }, form });

  // Without the verifier the provider refuses: PKCE is really required.
  const refused = await exchange({ grant_type: 'authorization_code', code: code!, redirect_uri: provider.fixtureRedirectUri });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toBe('invalid_grant');

  // A fresh login (the refused attempt consumed the code) exchanged with the verifier succeeds.
  await page.goto(authorize.toString());
  await page.waitForURL((url) => url.href.startsWith(provider.fixtureRedirectUri));
  const second = new URL(page.url()).searchParams.get('code')!;
  const tokens = await exchange({
    grant_type: 'authorization_code',
    code: second,
    redirect_uri: provider.fixtureRedirectUri,
    code_verifier: verifier,
  });
  expect(tokens.status()).toBe(200);
  const body = await tokens.json();
  const [header, payload] = body.id_token
    .split('.')
    .slice(0, 2)
    .map((part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  expect(header).toMatchObject({ alg: 'RS256', kid: 'fixture-rs256' });
  expect(payload).toMatchObject({ iss: provider.issuer, aud: TEST_CLIENT.clientId, sub: TEST_USER.subject, nonce });

  const userinfo = await request.get(discovery.userinfo_endpoint, {
    headers: { authorization: `Bearer ${body.access_token}` },
  });
  expect(await userinfo.json()).toMatchObject({
    sub: TEST_USER.subject,
    email: TEST_USER.email,
    name: TEST_USER.name,
    groups: TEST_USER.groups,
  });
});

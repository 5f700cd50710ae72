import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** What the workspace's "Connect …" of an OAuth CRM kind shows, and where its sandbox sends the browser. */
export interface OAuthKindScreens {
  /** The CRM's name in the workspace: "Connect {crm}", "Sign in at {crm}". */
  crm: string;
  /** The kind in the API's paths: /api/v1/oauth/{kind}/callback. */
  kind: string;
  /** The app form's name and its labels for the client id and secret. */
  appForm: { name: string; clientId: string; clientSecret: string };
  /** The choice in the sign-in form that takes a typed-in server: the sandbox stands in for it. */
  typedServer: string;
  /** The sandbox's consent page: its heading, and its path on the sandbox. */
  consent: { heading: string; path: string };
}

/** Saves the app (client id and secret) once, from the setup page, and waits for it to be in use. */
export async function saveOAuthApp(
  page: Page,
  url: string,
  screens: OAuthKindScreens,
  client: { clientId: string; clientSecret: string },
): Promise<void> {
  await page.goto(`${url}/setup`);
  await page.getByRole('button', { name: `Connect ${screens.crm}` }).click();
  const appForm = page.getByRole('form', { name: screens.appForm.name });
  await appForm.getByText(`${url}/api/v1/oauth/${screens.kind}/callback`).waitFor();
  await appForm.getByLabel(screens.appForm.clientId).fill(client.clientId);
  await appForm.getByLabel(screens.appForm.clientSecret).fill(client.clientSecret);
  await appForm.getByRole('button', { name: 'Save the app' }).click();
  await page.getByText(`Signs in with the app ${client.clientId}`).waitFor();
}

/** Starts signing in a connection called `name` at the sandbox, up to the sandbox's consent page. */
export async function signInAtSandbox(
  page: Page,
  url: string,
  screens: OAuthKindScreens,
  sandboxUrl: string,
  name: string,
): Promise<void> {
  await page.goto(`${url}/setup`);
  await page.getByRole('button', { name: `Connect ${screens.crm}` }).click();
  const form = page.getByRole('form', { name: `Sign in at ${screens.crm}` });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel(screens.typedServer).check();
  await form.getByRole('textbox', { name: screens.typedServer }).fill(sandboxUrl);
  await form.getByRole('button', { name: `Sign in at ${screens.crm}` }).click();
  await page.getByRole('heading', { name: screens.consent.heading }).waitFor();
  expect(page.url().startsWith(`${sandboxUrl}${screens.consent.path}?`)).toBe(true);
}

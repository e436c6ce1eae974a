import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/app-config.js';

const json = { 'Content-Type': 'application/json' };

async function accessToken(base: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/login/access-token`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`login of ${username} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A new user (open registration) and an access token of theirs. */
export async function signUp(base: string): Promise<string> {
  const email = `fault-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const response = await fetch(`${base}/api/v1/users/signup`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200 && response.status !== 201)
    throw new Error(`signup failed: ${response.status} ${await response.text()}`);
  return accessToken(base, email, password);
}

/** The first superuser's access token (the API started with `env` creates that user). */
export function superuserToken(base: string, env: NodeJS.ProcessEnv): Promise<string> {
  const config = loadConfig(env);
  return accessToken(base, config.firstSuperuser, config.firstSuperuserPassword);
}

/** Creates an item of the token's user; returns its id. */
export async function createItem(base: string, token: string, title: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/items/`, {
    method: 'POST',
    headers: { ...json, Authorization: `Bearer ${token}` },
    body: JSON.stringify({ title }),
  });
  if (response.status !== 201) throw new Error(`creating an item failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

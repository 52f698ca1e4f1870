import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, readPrivateKey, type PrivateKey } from 'openpgp';
import type { DaemonOptions } from '../../src/app.js';
import { inspectUserKey } from '../../src/methods/gpgauth/keys.js';
import { startTestDaemon, type TestDaemon } from './daemon.js';

export interface KeyPair {
  privateKey: PrivateKey;
  publicArmored: string;
  privateArmored: string;
  fingerprint: string;
}

/** A v4 curve25519 key made by OpenPGP.js (fast; GnuPG-made keys are in the interop tests). */
export async function makeKeyPair(name: string, passphrase?: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name, email: `${name}@example.test` }], format: 'armored', ...(passphrase ? { passphrase } : {}) });
  const parsed = await readPrivateKey({ armoredKey: privateKey });
  return { privateKey: parsed, publicArmored: publicKey, privateArmored: privateKey, fingerprint: parsed.getFingerprint().toUpperCase() };
}

export interface GpgAuthDaemon extends TestDaemon {
  server: KeyPair;
  /** Adds a user (created if needed) with this public key, as `gpg import` does. */
  addUser(username: string, key: KeyPair | string): Promise<void>;
}

/** A daemon with a passphrase-protected server key from files, and a high failure limit unless `toml` sets one. */
export async function startGpgAuthDaemon(toml = '', options: DaemonOptions = {}, server?: { armored: string; passphrase?: string }): Promise<GpgAuthDaemon> {
  const keyDir = mkdtempSync(join(tmpdir(), 'authbridge-gpgkey-'));
  const pair = await makeKeyPair('server', 'server secret');
  const keyFile = join(keyDir, 'server.asc');
  const passFile = join(keyDir, 'pass');
  writeFileSync(keyFile, server?.armored ?? pair.privateArmored);
  writeFileSync(passFile, `${server ? server.passphrase ?? 'unused' : 'server secret'}\n`);
  const passLine = server && server.passphrase === undefined ? '' : `passphrase_file = "${passFile}"\n`;
  const gpgauth = toml.includes('[gpgauth]') ? toml.replace('[gpgauth]', `[gpgauth]\nserver_key_file = "${keyFile}"\n${passLine}`) : `${toml}\n[gpgauth]\nserver_key_file = "${keyFile}"\n${passLine}`;
  const withRegulation = gpgauth.includes('[regulation]') ? gpgauth : `${gpgauth}\n[regulation]\nmax_retries = 1000\n`;
  let t: TestDaemon;
  try {
    t = await startTestDaemon(withRegulation, options);
  } catch (err) {
    rmSync(keyDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...t,
    server: pair,
    async addUser(username, key) {
      const info = await inspectUserKey(typeof key === 'string' ? key : key.publicArmored, new Date());
      const store = t.daemon.store;
      const user = store.users.findByUsername(username) ?? store.users.add({ username });
      store.gpgKeys.add(user.id, info.fingerprint, info.armored);
    },
    async stop() {
      await t.stop();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** POSTs `gpg_auth` fields as JSON to /auth/login.json (or `path`). */
export const postStage = (url: string, fields: Record<string, string>, init: { path?: string; cookie?: string } = {}) =>
  fetch(`${url}${init.path ?? '/auth/login.json'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.cookie ? { cookie: init.cookie } : {}) },
    body: JSON.stringify({ gpg_auth: fields }),
  });

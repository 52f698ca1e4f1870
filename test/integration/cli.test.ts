import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServe } from '../support/cli.js';
import { freePort } from '../support/ports.js';

/** The foundation's administration commands, run as the built `authbridge` binary. */
let dir: string;
let config: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authbridge-cli-'));
  config = join(dir, 'config.toml');
  writeFileSync(config, `[store]\npath = "${join(dir, 'db.sqlite')}"\n[xmpp]\nenabled = false\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('authbridge config validate', () => {
  it('accepts a good file (and prints its warnings), exit 0', () => {
    const good = runCli(['config', 'validate', '--config', config]);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain(`${config}: OK`);
    const example = runCli(['config', 'validate', '--config', 'config.example.toml']);
    expect(example.status).toBe(0);
    expect(example.stdout).toMatch(/warning: xmpp\.secret is the example value "change-me"/);
  });

  it('prints every problem with its dotted key path, exit 1', () => {
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[http]\nlisten = "nowhere"\ncolour = "blue"\n[xmpp]\ndefault_timeout = 0\n[limits]\npending_per_jid = -1\n');
    const result = runCli(['config', 'validate', '--config', bad]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('5 problem(s)');
    for (const key of ['http.listen:', 'http.colour: unknown key', 'xmpp.default_timeout:', 'limits.pending_per_jid:', 'xmpp.secret: required']) {
      expect(result.stderr).toContain(key);
    }
  });

  it('reads the key files as serve would: an unreadable or unusable [jwt] publish_keys entry is a problem', () => {
    const notAKey = join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'hello\n');
    const keys = join(dir, 'keys.toml');
    writeFileSync(keys, `[xmpp]\nenabled = false\n[jwt]\npublish_keys = ["${join(dir, 'absent.pem')}", "${notAKey}"]\n`);
    const result = runCli(['config', 'validate', '--config', keys]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('2 problem(s)');
    expect(result.stderr).toMatch(/jwt\.publish_keys: .*absent\.pem: cannot read \(ENOENT\)/);
    expect(result.stderr).toMatch(/jwt\.publish_keys: .*not-a-key\.pem: not a usable RSA/);
  });

  it('a missing file is a problem, not a crash', () => {
    const result = runCli(['config', 'validate', '--config', join(dir, 'absent.toml')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/absent\.toml: cannot read \(ENOENT\)/);
  });
});

describe('authbridge serve with an invalid configuration', () => {
  it('exits 78 (EX_CONFIG, no systemd restart) naming every problem, before binding the HTTP port', async () => {
    const port = await freePort();
    const bad = join(dir, 'serve-bad.toml');
    writeFileSync(bad, `[http]\nlisten = "127.0.0.1:${port}"\n[store]\npath = "${join(dir, 'never.sqlite')}"\n[xmpp]\nservice = "xmpp://127.0.0.1:1"\nsecret = ""\nbogus = 1\n`);
    const serve = spawnServe(bad);
    await expect(serve.url).rejects.toThrow(/exited \(78\) before listening/);
    expect(await serve.exit).toBe(78);
    expect(serve.output()).toContain('xmpp.secret:');
    expect(serve.output()).toContain('xmpp.bogus: unknown key');
    // The port was never bound and no store was created.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    probe.close();
    expect(() => readFileSync(join(dir, 'never.sqlite'))).toThrow();
  });
});

describe('authbridge db migrate', () => {
  it('applies every migration once, then reports the schema up to date; status lists them', () => {
    const dbConfig = join(dir, 'db.toml');
    writeFileSync(dbConfig, `[store]\npath = "${join(dir, 'migrate.sqlite')}"\n[xmpp]\nenabled = false\n`);
    const first = runCli(['db', 'migrate', '--config', dbConfig]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^applied: /);
    const again = runCli(['db', 'migrate', 'up', '--config', dbConfig]);
    expect(again.stdout).toMatch(/^schema is up to date/);
    const status = runCli(['db', 'migrate', 'status', '--config', dbConfig]);
    expect(status.status).toBe(0);
    const rows = status.stdout.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/ \d{4}-\d\d-\d\dT/);
    expect(runCli(['db', 'migrate', 'sideways', '--config', dbConfig]).status).toBe(2);
  });
});

describe('authbridge user', () => {
  it('add, list, disable, enable', () => {
    const add = runCli(['user', 'add', 'alice', '--jid', 'Alice@Example.org/phone', '--email', 'a@example.org', '--config', config]);
    expect(add).toMatchObject({ status: 0, stdout: 'added user alice\n' });
    expect(runCli(['user', 'add', 'alice', '--config', config])).toMatchObject({ status: 1, stderr: expect.stringContaining('already exists') });
    expect(runCli(['user', 'add', 'bob', '--jid', 'alice@example.org', '--config', config]).status).toBe(1);
    expect(runCli(['user', 'add', 'bob', '--jid', 'bob@', '--config', config]).status).toBe(2);

    const listed = () => runCli(['user', 'list', '--config', config]).stdout;
    // The JID identity is stored bare and normalized.
    expect(listed()).toMatch(/^alice\s+active\s+a@example\.org\s+jid:alice@example\.org$/m);
    expect(runCli(['user', 'disable', 'alice', '--config', config])).toMatchObject({ status: 0, stdout: 'disabled user alice\n' });
    expect(listed()).toMatch(/^alice\s+disabled\s/m);
    expect(runCli(['user', 'enable', 'alice', '--config', config]).status).toBe(0);
    expect(listed()).toMatch(/^alice\s+active\s/m);
    expect(runCli(['user', 'disable', 'nobody', '--config', config])).toMatchObject({ status: 1, stderr: 'error: no user nobody\n' });
  });
});

describe('authbridge client', () => {
  it('add shows the token once and stores only its hash; list; revoke', () => {
    const add = runCli(['client', 'add', 'shop', '--config', config]);
    expect(add.status).toBe(0);
    const token = add.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^abt_[A-Za-z0-9_-]{43}$/);
    expect(runCli(['client', 'add', 'shop', '--config', config]).status).toBe(1);

    const list = runCli(['client', 'list', '--config', config]).stdout;
    expect(list).toMatch(/^shop\s+\d{4}-\d\d-\d\dT\S+\s+-$/m);
    expect(list).not.toContain(token);
    const file = readFileSync(join(dir, 'db.sqlite'));
    expect(file.includes(Buffer.from(token))).toBe(false);

    expect(runCli(['client', 'revoke', 'shop', '--config', config])).toMatchObject({ status: 0, stdout: 'revoked client shop\n' });
    expect(runCli(['client', 'list', '--config', config]).stdout).toMatch(/^shop\s+\S+\s+\d{4}-\d\d-\d\dT/m);
    expect(runCli(['client', 'revoke', 'shop', '--config', config]).status).toBe(1);
  });
});

describe('usage', () => {
  it('every foundation command explains itself and refuses wrong usage with exit 2', () => {
    for (const command of ['serve', 'config', 'db', 'user', 'client', 'xmpp']) {
      const help = runCli([command, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`authbridge ${command}`);
    }
    expect(runCli(['user', 'frobnicate', '--config', config]).status).toBe(2);
    expect(runCli(['client', '--config', config]).status).toBe(2);
    expect(runCli(['xmpp', 'test']).status).toBe(2);
    expect(runCli(['nope']).status).toBe(2);
  });
});

#!/usr/bin/env node
import { ConfigError } from './errors.js';
import { UsageError, type CommandGroup } from './cli/command.js';
import { version } from './version.js';

/**
 * Each command's module is loaded only when it runs (or for the overview), so the
 * daemon does not carry what only the admin commands need (e.g. OpenPGP.js for `gpg`).
 */
const commands: Record<string, () => Promise<CommandGroup>> = {
  serve: async () => (await import('./cli/serve.js')).serve,
  config: async () => (await import('./cli/config.js')).configCommand,
  db: async () => (await import('./cli/db.js')).dbCommand,
  user: async () => (await import('./cli/user.js')).userCommand,
  client: async () => (await import('./cli/client.js')).clientCommand,
  bans: async () => (await import('./cli/bans.js')).bansCommand,
  xmpp: async () => (await import('./cli/xmpp.js')).xmppCommand,
  ska: async () => (await import('./cli/ska.js')).skaCommand,
  jwt: async () => (await import('./cli/jwt.js')).jwtCommand,
  gpg: async () => (await import('./cli/gpg.js')).gpgCommand,
};

async function overview(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    `authbridge ${version}: password-less login for web applications (XEP-0070 over XMPP and more)`,
    '',
    'usage: authbridge COMMAND [ARGS] [--config FILE]',
    '',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'authbridge COMMAND --help shows the details of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(version);
    return 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    console.error(`unknown command: ${name}\n\n${await overview()}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));

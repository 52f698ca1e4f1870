#!/usr/bin/env node
import { ConfigError } from './errors.js';
import { bansCommand } from './cli/bans.js';
import { clientCommand } from './cli/client.js';
import { UsageError, type CommandGroup } from './cli/command.js';
import { configCommand } from './cli/config.js';
import { dbCommand } from './cli/db.js';
import { jwtCommand } from './cli/jwt.js';
import { gpgCommand } from './cli/gpg.js';
import { serve } from './cli/serve.js';
import { skaCommand } from './cli/ska.js';
import { userCommand } from './cli/user.js';
import { xmppCommand } from './cli/xmpp.js';
import { version } from './version.js';

const commands: CommandGroup[] = [serve, configCommand, dbCommand, userCommand, clientCommand, bansCommand, xmppCommand, skaCommand, jwtCommand, gpgCommand];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `authbridge ${version}: password-less login for web applications (XEP-0070 over XMPP and more)`,
    '',
    'usage: authbridge COMMAND [ARGS] [--config FILE]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'authbridge COMMAND --help shows the details of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(version);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`unknown command: ${name}\n\n${overview()}`);
    return 2;
  }
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

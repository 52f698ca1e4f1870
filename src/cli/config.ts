import type { Config } from '../config/load.js';
import { defaultConfigPath, loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { publishedKey } from '../methods/jwt/module.js';
import { configOption, parse, UsageError, type CommandGroup } from './command.js';

export const configCommand: CommandGroup = {
  name: 'config',
  summary: 'check a configuration file',
  usage: `authbridge config validate [--config FILE]

  Prints every problem in the file with its dotted key path and exits 1 if there
  is any; prints warnings for unsafe settings. Key files are read as serve reads
  them: [jwt] publish_keys must parse, the gpgAuth server key must unlock.
  Suitable for ExecStartPre=.`,
  async run(argv) {
    const { values, positionals } = parse(argv, configOption);
    if (positionals[0] !== 'validate' || positionals.length !== 1) throw new UsageError('expected: config validate');
    const path = defaultConfigPath(values.config);
    let problems: readonly string[];
    try {
      const { config, warnings } = loadConfig(path);
      for (const warning of warnings) console.log(`warning: ${warning}`);
      problems = await keyFileProblems(config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    if (problems.length === 0) {
      console.log(`${path}: OK`);
      return 0;
    }
    console.error(`${path}: ${problems.length} problem(s)`);
    for (const problem of problems) console.error(`  ${problem}`);
    return 1;
  },
};

/** What `serve` would refuse at start-up in the key files the configuration names. */
async function keyFileProblems(config: Config): Promise<string[]> {
  const checks: Array<() => unknown> = config.jwt.publish_keys.map((path) => () => publishedKey(path));
  const serverKey = config.gpgauth.server_key_file;
  if (serverKey !== undefined) {
    checks.push(async () => (await import('../methods/gpgauth/server-key.js')).loadServerKey(serverKey, config.gpgauth.passphrase));
  }
  const problems: string[] = [];
  for (const check of checks) {
    try {
      await check();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  return problems;
}

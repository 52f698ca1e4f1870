import { defaultConfigPath, loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { configOption, parse, UsageError, type CommandGroup } from './command.js';

export const configCommand: CommandGroup = {
  name: 'config',
  summary: 'check a configuration file',
  usage: `authbridge config validate [--config FILE]

  Prints every problem in the file with its dotted key path and exits 1 if there
  is any; prints warnings for unsafe settings. Suitable for ExecStartPre=.`,
  async run(argv) {
    const { values, positionals } = parse(argv, configOption);
    if (positionals[0] !== 'validate' || positionals.length !== 1) throw new UsageError('expected: config validate');
    const path = defaultConfigPath(values.config);
    try {
      const { warnings } = loadConfig(path);
      for (const warning of warnings) console.log(`warning: ${warning}`);
      console.log(`${path}: OK`);
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`${path}: ${err.problems.length} problem(s)`);
      for (const problem of err.problems) console.error(`  ${problem}`);
      return 1;
    }
  },
};

import { systemClock } from '../clock.js';
import { Regulation } from '../regulation/regulation.js';
import { configOption, isoOrDash, loadConfigFrom, parse, printTable, UsageError, type CommandGroup } from './command.js';
import { Store } from '../store/store.js';

export const bansCommand: CommandGroup = {
  name: 'bans',
  summary: 'list or lift brute-force bans',
  usage: `authbridge bans list [--config FILE]
authbridge bans revoke KEY [--config FILE]

  KEY is as listed: ip:ADDRESS or account:METHOD:NAME.`,
  async run(argv) {
    const { values, positionals } = parse(argv, configOption);
    const [verb, key, ...rest] = positionals;
    if (rest.length > 0 || (verb !== 'list' && verb !== 'revoke') || (verb === 'revoke' && !key)) throw new UsageError('expected: bans list | bans revoke KEY');
    const { config } = loadConfigFrom(values.config);
    const store = new Store(config.store.path, systemClock, { retentionDays: config.store.retention_days });
    try {
      const regulation = new Regulation(store.db, systemClock, config.regulation);
      if (verb === 'list') {
        printTable(['key', 'failures', 'banned_until'], regulation.listBans().map((b) => [b.key, String(b.failures), isoOrDash(b.until)]));
        return 0;
      }
      if (!regulation.revoke(key as string)) {
        console.error(`error: no failures recorded for ${key}`);
        return 1;
      }
      console.log(`lifted ${key}`);
      return 0;
    } finally {
      store.close();
    }
  },
};

import { migrate, migrationStatus, openDatabase } from '../store/database.js';
import { configOption, isoOrDash, loadConfigFrom, parse, printTable, UsageError, type CommandGroup } from './command.js';

export const dbCommand: CommandGroup = {
  name: 'db',
  summary: 'apply or list schema migrations',
  usage: `authbridge db migrate [up|status] [--config FILE]

  up (the default) applies every pending migration; status lists them all.
  serve also migrates at start-up.`,
  async run(argv) {
    const { values, positionals } = parse(argv, configOption);
    const [verb, action = 'up', ...rest] = positionals;
    if (verb !== 'migrate' || rest.length > 0 || (action !== 'up' && action !== 'status')) throw new UsageError('expected: db migrate [up|status]');
    const { config } = loadConfigFrom(values.config);
    const db = openDatabase(config.store.path);
    try {
      if (action === 'up') {
        const applied = migrate(db);
        console.log(applied.length === 0 ? 'schema is up to date' : `applied: ${applied.join(', ')}`);
      }
      printTable(['migration', 'applied_at'], migrationStatus(db).map((m) => [m.name, isoOrDash(m.appliedAt)]));
      return 0;
    } finally {
      db.close();
    }
  },
};

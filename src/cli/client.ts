import { ClientExistsError } from '../store/clients.js';
import { configOption, isoOrDash, parse, printTable, UsageError, withStore, type CommandGroup } from './command.js';

export const clientCommand: CommandGroup = {
  name: 'client',
  summary: 'manage API clients (web applications holding a bearer token)',
  usage: `authbridge client add NAME [--config FILE]
authbridge client list [--config FILE]
authbridge client revoke NAME [--config FILE]

  add prints the new token once; only its hash is stored. Web applications send it
  as "Authorization: Bearer TOKEN" when they call from outside
  api.allow_unauthenticated_from.`,
  async run(argv) {
    const { values, positionals } = parse(argv, configOption);
    const [verb, name, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
    return withStore(values.config, (store) => {
      switch (verb) {
        case 'add': {
          if (!name) throw new UsageError('expected: client add NAME');
          try {
            const { token } = store.clients.add(name);
            console.log(`added client ${name}; its token (shown only now):`);
            console.log(token);
            return 0;
          } catch (err) {
            if (!(err instanceof ClientExistsError)) throw err;
            console.error(`error: ${err.message}`);
            return 1;
          }
        }
        case 'list':
          printTable(['name', 'created_at', 'revoked_at'], store.clients.list().map((c) => [c.name, isoOrDash(c.createdAt), isoOrDash(c.revokedAt)]));
          return 0;
        case 'revoke':
          if (!name) throw new UsageError('expected: client revoke NAME');
          if (!store.clients.revoke(name)) {
            console.error(`error: no active client ${name}`);
            return 1;
          }
          console.log(`revoked client ${name}`);
          return 0;
        default:
          throw new UsageError('expected: client add|list|revoke');
      }
    });
  },
};

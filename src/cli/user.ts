import { IdentityTakenError, UserExistsError, type IdentityKind } from '../store/users.js';
import { parseJid } from '../xmpp/jid.js';
import { configOption, parse, printTable, UsageError, withStore, type CommandGroup } from './command.js';

export const userCommand: CommandGroup = {
  name: 'user',
  summary: 'add, list, disable or enable users',
  usage: `authbridge user add USERNAME [--jid JID] [--principal PRINCIPAL] [--email EMAIL] [--name NAME] [--config FILE]
authbridge user list [--config FILE]
authbridge user disable USERNAME [--config FILE]
authbridge user enable USERNAME [--config FILE]

  --jid and --principal attach identities (an XMPP address, a Kerberos principal);
  both may be repeated.`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...configOption,
      jid: { type: 'string', multiple: true },
      principal: { type: 'string', multiple: true },
      email: { type: 'string' },
      name: { type: 'string' },
    });
    const [verb, username, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
    switch (verb) {
      case 'add': {
        if (!username) throw new UsageError('expected: user add USERNAME');
        const identities: Array<{ kind: IdentityKind; value: string }> = [];
        for (const raw of values.jid ?? []) {
          const jid = parseJid(raw);
          if (!jid) throw new UsageError(`not a valid JID: ${raw}`);
          identities.push({ kind: 'jid', value: jid.bare });
        }
        for (const principal of values.principal ?? []) identities.push({ kind: 'kerberos', value: principal });
        return withStore(values.config, (store) => {
          try {
            store.users.add({ username, identities, ...(values.email ? { email: values.email } : {}), ...(values.name ? { displayName: values.name } : {}) });
          } catch (err) {
            if (err instanceof UserExistsError || err instanceof IdentityTakenError) {
              console.error(`error: ${err.message}`);
              return 1;
            }
            throw err;
          }
          console.log(`added user ${username}`);
          return 0;
        });
      }
      case 'list':
        return withStore(values.config, (store) => {
          printTable(
            ['username', 'status', 'email', 'identities'],
            store.users.list().map((u) => [u.username, u.disabled ? 'disabled' : 'active', u.email ?? '-', u.identities.map((i) => `${i.kind}:${i.value}`).join(' ') || '-']),
          );
          return 0;
        });
      case 'disable':
      case 'enable': {
        if (!username) throw new UsageError(`expected: user ${verb} USERNAME`);
        return withStore(values.config, (store) => {
          if (!store.users.setDisabled(username, verb === 'disable')) {
            console.error(`error: no user ${username}`);
            return 1;
          }
          console.log(`${verb}d user ${username}`);
          return 0;
        });
      }
      default:
        throw new UsageError('expected: user add|list|disable|enable');
    }
  },
};

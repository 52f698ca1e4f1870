import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { systemClock } from '../clock.js';
import { globalSkaAlgorithms, parseSkaAlgorithm, type SkaAlgorithm } from '../methods/ska/algorithms.js';
import { DEFAULT_LIFETIME, PROVIDER_PARAM } from '../methods/ska/constants.js';
import { chooseKey, providerIsSigned, userAllowed } from '../methods/ska/keys.js';
import { parseQuery, queryOfUrl } from '../methods/ska/params.js';
import { pythonJsonDumps } from '../methods/ska/python-json.js';
import { formatValidUntil, requestPairs, signedUrl, signRequest, signingProblem, type SkaKey } from '../methods/ska/sign.js';
import { validateSignedRequest } from '../methods/ska/validate.js';
import { SkaProviderExistsError } from '../store/ska.js';
import { configOption, isoOrDash, loadConfigFrom, parse, printTable, UsageError, withStore, type CommandGroup } from './command.js';

const usage = `authbridge ska provider add NAME [--secret-file F] [--algorithm A] [--quoter default|javascript]
                             [--redirect URL] [--allowed-users REGEX] [--config FILE]
authbridge ska provider list [--config FILE]
authbridge ska provider remove NAME [--config FILE]
authbridge ska sign --user U (--secret-file F | --provider P) [--algorithm A]
                    [--lifetime S | --valid-until T] [--extra k=v …] [--url URL | --dict] [--config FILE]
authbridge ska verify URL [--config FILE]

  provider add stores a provider (its secret is read from --secret-file, or a random
  32-byte secret is generated and printed once). --algorithm is HMAC-SHA1, -SHA224,
  -SHA256 (the default for new providers), -SHA384, -SHA512 or HMAC-MD5 (only here,
  for old signers). --allowed-users is a regular expression the whole auth_user must
  match. Requests select a provider with the "provider" parameter.

  sign prints the signed URL exactly as Python ska's sign_url does (url + "?" +
  signature, auth_user, valid_until, extra, extras), or with --dict the signed
  fields as JSON (Python json.dumps layout; every value a string). --algorithm
  defaults to HMAC-SHA1 with --secret-file, to the provider's with --provider.
  --valid-until is used verbatim (epoch seconds, e.g. 4102444800.0, which is what
  ska-sign-url prints for -vu 4102444800); otherwise now + --lifetime (default
  ${DEFAULT_LIFETIME} s) as "<int>.0". The signer refuses tokens a verifier could not
  tell from a forgery: "%" in the user, or "&" followed by "=" in an extra value.

  verify checks a signed URL as /v1/ska/verify would (the configured ska.secret or
  the provider it names, max_lifetime, the provider's allowed users), without
  recording it; prints the verdict and exits 0 when valid, 1 when not.`;

const options = {
  ...configOption,
  user: { type: 'string' },
  'secret-file': { type: 'string' },
  provider: { type: 'string' },
  algorithm: { type: 'string' },
  lifetime: { type: 'string' },
  'valid-until': { type: 'string' },
  extra: { type: 'string', multiple: true },
  url: { type: 'string' },
  dict: { type: 'boolean' },
  quoter: { type: 'string' },
  redirect: { type: 'string' },
  'allowed-users': { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof options>>['values'];

/** The file's text minus one trailing newline; an empty key would let anyone sign. */
function readSecret(path: string): string {
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new UsageError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (secret === '') throw new UsageError(`${path} is empty`);
  return secret;
}

function algorithmOption(name: string | undefined, allowed: readonly string[]): SkaAlgorithm | undefined {
  if (name === undefined) return undefined;
  const algorithm = parseSkaAlgorithm(name);
  if (!algorithm || !allowed.includes(algorithm)) throw new UsageError(`--algorithm must be one of ${allowed.join(', ')}`);
  return algorithm;
}

function extraPairs(items: readonly string[] | undefined): Array<[string, string]> {
  return (items ?? []).map((item) => {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--extra expects KEY=VALUE, got "${item}"`);
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

function validUntilOption(values: Values): string {
  if (values['valid-until'] !== undefined) {
    if (values.lifetime !== undefined) throw new UsageError('give --lifetime or --valid-until, not both');
    return values['valid-until'];
  }
  const lifetime = values.lifetime === undefined ? DEFAULT_LIFETIME : Number(values.lifetime);
  if (!Number.isSafeInteger(lifetime) || lifetime <= 0) throw new UsageError('--lifetime must be a positive whole number of seconds');
  return formatValidUntil(systemClock.now() / 1000 + lifetime);
}

async function sign(values: Values): Promise<number> {
  if (values.user === undefined) throw new UsageError('sign needs --user');
  if ((values['secret-file'] === undefined) === (values.provider === undefined)) throw new UsageError('sign needs exactly one of --secret-file and --provider');
  if (values.dict && values.url !== undefined) throw new UsageError('give --url or --dict, not both');
  const input = { authUser: values.user, validUntil: validUntilOption(values), extra: extraPairs(values.extra) };
  const problem = signingProblem(input);
  if (problem) throw new UsageError(problem);
  let key: SkaKey;
  if (values['secret-file'] !== undefined) {
    key = { secret: readSecret(values['secret-file']), algorithm: algorithmOption(values.algorithm, globalSkaAlgorithms) ?? 'HMAC-SHA1', quoter: 'default' };
  } else {
    const name = values.provider as string;
    const provider = await withStore(values.config, (store) => store.ska.findProvider(name));
    if (!provider) {
      console.error(`error: no provider ${name}`);
      return 1;
    }
    if (values.algorithm !== undefined && algorithmOption(values.algorithm, [provider.algorithm]) === undefined) return 2;
    key = { secret: provider.secret, algorithm: provider.algorithm, quoter: provider.quoter };
  }
  const signed = signRequest(input, key);
  console.log(values.dict ? pythonJsonDumps(requestPairs(signed)) : signedUrl(values.url ?? '', signed));
  return 0;
}

async function verify(url: string | undefined, values: Values): Promise<number> {
  if (url === undefined) throw new UsageError('expected: ska verify URL');
  const { config } = loadConfigFrom(values.config);
  const parsed = parseQuery(queryOfUrl(url));
  if ('problem' in parsed) {
    console.log(`invalid: Invalid signature! (${parsed.problem})`);
    return 1;
  }
  return withStore(values.config, (store) => {
    const choice = chooseKey(parsed.params.get(PROVIDER_PARAM), (name) => store.ska.findProvider(name), config.ska);
    if ('problem' in choice) {
      console.log(`invalid: ${choice.description}`);
      return 1;
    }
    const verdict = validateSignedRequest(parsed.params, choice.key, systemClock.now(), {
      maxLifetime: config.ska.max_lifetime,
      allowPercentInUser: config.ska.allow_percent_in_user,
    });
    if (!verdict.valid) {
      console.log(`invalid: ${verdict.message} (${verdict.detail})`);
      return 1;
    }
    // The daemon's provider rules too, so "valid" here means the daemon accepts it.
    if (choice.provider && config.ska.require_signed_provider && !providerIsSigned(parsed.params)) {
      console.log('invalid: provider must be listed in extra (signed)');
      return 1;
    }
    if (!userAllowed(choice.provider, verdict.user)) {
      console.log(`invalid: provider ${choice.provider?.name ?? '-'} may not sign for user ${verdict.user}`);
      return 1;
    }
    console.log(`valid: user ${verdict.user}, provider ${choice.provider?.name ?? '-'}, valid until ${verdict.validUntil}`);
    for (const [k, v] of verdict.extra) console.log(`  ${k} = ${v}`);
    return 0;
  });
}

async function provider(verb: string | undefined, name: string | undefined, values: Values): Promise<number> {
  return withStore(values.config, (store) => {
    switch (verb) {
      case 'add': {
        if (!name) throw new UsageError('expected: ska provider add NAME');
        const quoter = values.quoter ?? 'default';
        if (quoter !== 'default' && quoter !== 'javascript') throw new UsageError('--quoter must be default or javascript');
        const allowedUsers = values['allowed-users'] ?? null;
        if (allowedUsers !== null) {
          try {
            new RegExp(allowedUsers, 'u');
          } catch {
            throw new UsageError('--allowed-users is not a valid regular expression');
          }
        }
        const generated = values['secret-file'] === undefined;
        const secret = generated ? randomBytes(32).toString('base64url') : readSecret(values['secret-file'] as string);
        if (Buffer.byteLength(secret) < 32) console.error('warning: the secret is shorter than 32 bytes (spec/ska.md §12.2)');
        const algorithm = algorithmOption(values.algorithm, ['HMAC-SHA1', 'HMAC-SHA224', 'HMAC-SHA256', 'HMAC-SHA384', 'HMAC-SHA512', 'HMAC-MD5']) ?? 'HMAC-SHA256';
        try {
          store.ska.addProvider({ name, secret, algorithm, quoter, redirect: values.redirect ?? null, allowedUsers });
        } catch (err) {
          if (!(err instanceof SkaProviderExistsError)) throw err;
          console.error(`error: ${err.message}`);
          return 1;
        }
        console.log(`added provider ${name} (${algorithm})`);
        if (generated) console.log(`its secret (shown only now):\n${secret}`);
        return 0;
      }
      case 'list':
        printTable(
          ['name', 'algorithm', 'quoter', 'redirect', 'allowed_users', 'created_at'],
          store.ska.listProviders().map((p) => [p.name, p.algorithm, p.quoter, p.redirect ?? '-', p.allowedUsers ?? '-', isoOrDash(p.createdAt)]),
        );
        return 0;
      case 'remove':
        if (!name) throw new UsageError('expected: ska provider remove NAME');
        if (!store.ska.removeProvider(name)) {
          console.error(`error: no provider ${name}`);
          return 1;
        }
        console.log(`removed provider ${name}`);
        return 0;
      default:
        throw new UsageError('expected: ska provider add|list|remove');
    }
  });
}

export const skaCommand: CommandGroup = {
  name: 'ska',
  summary: 'ska signed URLs: manage providers, sign and verify',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, options);
    const [verb, ...args] = positionals;
    switch (verb) {
      case 'provider': {
        const [sub, name, ...rest] = args;
        if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
        return provider(sub, name, values);
      }
      case 'sign':
        if (args.length > 0) throw new UsageError(`unexpected argument: ${args[0]}`);
        return sign(values);
      case 'verify':
        if (args.length > 1) throw new UsageError(`unexpected argument: ${args[1]}`);
        return verify(args[0], values);
      default:
        throw new UsageError('expected: ska provider|sign|verify');
    }
  },
};

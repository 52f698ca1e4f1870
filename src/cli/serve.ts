import { Daemon } from '../app.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { configOption, loadConfigFrom, parse, type CommandGroup } from './command.js';

/** Exit code for configuration errors found at run time (sysexits.h EX_CONFIG). */
export const EXIT_CONFIG = 78;

export const serve: CommandGroup = {
  name: 'serve',
  summary: 'run the daemon in the foreground, logging to stdout',
  usage: `authbridge serve [--config FILE]

  Runs the daemon. Without --config it reads ./config.toml when present, else the
  bundled config.example.toml. SIGTERM or SIGINT stops it gracefully (exit 0);
  a second signal, or requests still running after http.shutdown_timeout, make
  it exit 1. A configuration error exits 78 before any port is bound: an invalid
  file, a key file that cannot be read or unlocked; so does the XMPP server
  refusing the component (wrong secret, unknown domain, unresolvable host).
  systemd does not restart on 78 (RestartPreventExitStatus).`,
  async run(argv) {
    try {
      return await runDaemon(argv);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(err.message);
      return EXIT_CONFIG;
    }
  },
};

/** Runs until stopped; resolves with the exit code. */
async function runDaemon(argv: string[]): Promise<number> {
  const { values } = parse(argv, configOption);
  const { config, warnings } = loadConfigFrom(values.config);
  const logger = createLogger(config.log.level, config.log.format);
  logger.info('config.loaded', { source: config.source });
  for (const warning of warnings) logger.warn('config.unsafe', { warning });

  let exitCode = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const daemon = new Daemon(config, logger, {
    onFatal: (err) => {
      logger.error('daemon.config_error', { reason: err.message });
      stop(EXIT_CONFIG);
    },
  });
  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    setTimeout(() => {
      logger.error('daemon.stop_timeout');
      process.exit(1);
    }, (config.http.shutdown_timeout + 5) * 1000).unref();
    // Requests cut at http.shutdown_timeout make the stop unclean: exit 1 (OPS-19).
    void daemon.stop().then((drained) => {
      if (!drained) exitCode = Math.max(exitCode, 1);
      finish();
    });
  };
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn('daemon.forced_exit', { signal });
      process.exit(1);
    }
    logger.info('daemon.signal', { signal });
    stop(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await daemon.start();
  await finished;
  return exitCode;
}

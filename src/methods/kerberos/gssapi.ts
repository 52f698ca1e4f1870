import { createRequire } from 'node:module';

/**
 * Types for our own addon, native/gssapi (spec/kerberos.md §5): the same relative
 * path works from src/ (tests) and dist/ (the daemon).
 */

/** A credential the client delegated (a forwarded TGT); released once stored. */
export interface DelegatedCredential {
  /** gss_store_cred_into(…, {ccache: name}); `lifetime` is the seconds the ticket has left. */
  store(ccacheName: string): { lifetime: number };
  release(): void;
}

export interface AcceptResult {
  /** The client's name with its realm, e.g. `alice@TEST.LOCAL`. */
  principal: string;
  /** The mutual-authentication reply token, if the mechanism made one. */
  outputToken: Buffer | null;
  /** gss_accept_sec_context's ret_flags. */
  flags: number;
  /** Seconds the security context (the client's service ticket) stays valid. */
  lifetime: number;
  /** Present only when ret_flags carries GSS_C_DELEG_FLAG. */
  delegated: DelegatedCredential | null;
}

export interface AcceptorOptions {
  /** Keytab file path (gss_acquire_cred_from's `keytab`). */
  keytab: string;
  /** `HTTP@host`, or '' for any key in the keytab (KRB-3). */
  service: string;
  /** Replay cache name, e.g. `file2:/dir/authbridge.rcache2` (KRB-2). */
  rcache: string;
}

export interface Acceptor {
  accept(token: Buffer): Promise<AcceptResult>;
}

interface GssapiAddon {
  Acceptor: new (options: AcceptorOptions) => Acceptor;
  initiate(target: string, options: { ccache: string; delegate?: boolean }): Buffer;
}

/** Errors the addon throws carry the GSS major and mechanism minor status codes. */
export interface GssError extends Error {
  major: number;
  minor: number;
}

export const isGssError = (err: unknown): err is GssError =>
  err instanceof Error && typeof (err as Partial<GssError>).major === 'number' && typeof (err as Partial<GssError>).minor === 'number';

const addon = createRequire(import.meta.url)('../../../native/gssapi/build/Release/authbridge_gssapi.node') as GssapiAddon;

export const createAcceptor = (options: AcceptorOptions): Acceptor => new addon.Acceptor(options);

/** The client side (tests, benchmark): an SPNEGO token for `HTTP@host` from the ticket cache `ccache`. */
export const initiate = (target: string, options: { ccache: string; delegate?: boolean }): Buffer => addon.initiate(target, options);

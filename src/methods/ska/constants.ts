/** Parameter names, defaults and reason strings of ska 1.11 (spec/ska.md §1, §5). */
export const SIGNATURE_PARAM = 'signature';
export const AUTH_USER_PARAM = 'auth_user';
export const VALID_UNTIL_PARAM = 'valid_until';
export const EXTRA_PARAM = 'extra';
export const PROVIDER_PARAM = 'provider';

/** Names an extra item may not take: it would overwrite the signed fields in the URL. */
export const FIELD_PARAMS: readonly string[] = [SIGNATURE_PARAM, AUTH_USER_PARAM, VALID_UNTIL_PARAM, EXTRA_PARAM, 'time_zone'];

export const DEFAULT_LIFETIME = 600;

/** Reason strings, exactly as ska reports them (SKA-6). */
export const REASON_INVALID = 'Invalid signature!';
export const REASON_EXPIRED = 'Signature timestamp expired!';
/** Ours: ska has no lifetime cap (spec/ska.md §12.5). */
export const REASON_TOO_LONG = 'Signature lifetime exceeds the maximum!';

// spec/gpgauth.md §4 and §8 (GPG-2): headers of every gpgAuth response.

export const EXPOSED_HEADERS = [
  'X-GPGAuth-Verify-Response',
  'X-GPGAuth-Progress',
  'X-GPGAuth-User-Auth-Token',
  'X-GPGAuth-Authenticated',
  'X-GPGAuth-Refer',
  'X-GPGAuth-Debug',
  'X-GPGAuth-Error',
  'X-GPGAuth-Pubkey',
  'X-GPGAuth-Logout-Url',
  'X-GPGAuth-Version',
];

export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-GPGAuth-Version': '1.3.0',
  'X-GPGAuth-Login-URL': '/auth/login',
  'X-GPGAuth-Logout-URL': '/auth/logout',
  'X-GPGAuth-Verify-URL': '/auth/verify',
  'X-GPGAuth-Pubkey-URL': '/auth/verify.json',
  'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', '),
};

/** Every attempt starts here (§3 step 1). */
export const START_HEADERS: Readonly<Record<string, string>> = {
  'X-GPGAuth-Authenticated': 'false',
  'X-GPGAuth-Progress': 'stage0',
};

/**
 * Compact JSON as Python's `json.dumps(obj, separators=(",", ":"))` writes it, which
 * PyJWT uses for tokens: `ensure_ascii` escapes every character outside space..`~`
 * as `\uXXXX` (lower-case hex, surrogate pairs for astral characters).
 */
export function pythonCompactJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

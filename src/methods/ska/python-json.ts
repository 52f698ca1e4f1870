/**
 * Python's `json.dumps(dict)` for string values: `", "` and `": "` separators,
 * `ensure_ascii` escapes (`\uXXXX`, lower-case hex, surrogate pairs for astral code points).
 */
const shortEscapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function pythonJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = value.charCodeAt(i);
    out += shortEscapes[ch] ?? (code < 0x20 || code > 0x7e ? `\\u${code.toString(16).padStart(4, '0')}` : ch);
  }
  return `${out}"`;
}

export function pythonJsonDumps(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `{${pairs.map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonString(v)}`).join(', ')}}`;
}

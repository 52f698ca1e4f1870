import { EXTRA_PARAM, FIELD_PARAMS, PROVIDER_PARAM } from './constants.js';
import type { SkaParams } from './validate.js';

/** A request's parameters, or why they are ambiguous. */
export type ParsedParams = { params: SkaParams } | { problem: string };

/**
 * Collapses name/value pairs to one value per name. A repeated signed field,
 * `provider` or name listed in `extra` is refused: which copy a verifier reads is
 * exactly what parameter pollution exploits. Other names keep the last value,
 * as Django's `request.GET.dict()` does (spec/ska.md §8).
 */
export function collapseParams(pairs: Iterable<readonly [string, string]>): ParsedParams {
  const params = new Map<string, string>();
  const repeated = new Set<string>();
  for (const [name, value] of pairs) {
    if (params.has(name)) repeated.add(name);
    params.set(name, value);
  }
  if (repeated.size > 0) {
    // A repeated `extra` is caught as a field before its value is read as a list.
    const listed = (params.get(EXTRA_PARAM) ?? '').split(',');
    for (const name of [...FIELD_PARAMS, PROVIDER_PARAM, ...listed]) {
      if (repeated.has(name)) return { problem: `parameter "${name}" is given more than once` };
    }
  }
  return { params };
}

/** Parses a query string (`a=1&b=2`, an optional leading `?`) with form decoding (`+` is a space). */
export function parseQuery(query: string): ParsedParams {
  const trimmed = query.startsWith('?') ? query.slice(1) : query;
  return collapseParams(new URLSearchParams(trimmed));
}

/** The query of a signed URL: everything after the first `?` (ska appends `?` unconditionally). */
export function queryOfUrl(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/methods/ska/params.js';
import { pythonJsonDumps } from '../../../src/methods/ska/python-json.js';
import { compareCodePoints, quoteJs, quotePlusPy, quotePy } from '../../../src/methods/ska/quote.js';
import { baseString, formatValidUntil, signedUrl, signRequest } from '../../../src/methods/ska/sign.js';

describe('Python quoting (spec/ska.md §2, §4, §6)', () => {
  it('quote() keeps only A-Za-z0-9_.-~ and / literal, upper-case hex', () => {
    expect(quotePy("a=b&c d+e@f!'()*/~é")).toBe('a%3Db%26c%20d%2Be%40f%21%27%28%29%2A/~%C3%A9');
  });
  it('quote_plus(safe="") turns space into + and escapes /', () => {
    expect(quotePlusPy("a b/c~!'()*")).toBe('a+b%2Fc~%21%27%28%29%2A');
  });
  it('the javascript quoter is encodeURIComponent', () => {
    expect(quoteJs("a/b!'()*~ ")).toBe("a%2Fb!'()*~%20");
  });
  it('sorts keys by code point, not UTF-16 unit', () => {
    const keys = ['\u{1F600}', '\uFFFD', 'b', 'a', '10', '9'];
    expect([...keys].sort(compareCodePoints)).toEqual(['10', '9', 'a', 'b', '\uFFFD', '\u{1F600}']);
    expect(baseString('1.0', 'u', [['\u{1F600}', 'x'], ['\uFFFD', 'y']])).toBe('1.0_u_%EF%BF%BD%3Dy%26%F0%9F%98%80%3Dx');
  });
  it('agrees with a comparison of code point lists on mixed BMP, private-use and astral text', () => {
    const pool = ['a', 'Z', '\u00e9', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1F600}', '\u{10FFFF}', ''];
    const byCodePoints = (a: string, b: string) => {
      const [x, y] = [[...a].map((c) => c.codePointAt(0) as number), [...b].map((c) => c.codePointAt(0) as number)];
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
      return x.length - y.length;
    };
    for (const a of pool) for (const b of pool) for (const c of pool) {
      expect(Math.sign(compareCodePoints(a + c, b)), JSON.stringify([a + c, b])).toBe(Math.sign(byCodePoints(a + c, b)));
    }
  });
});

describe('signed URL layout (SKA-4)', () => {
  const key = { secret: 'k', algorithm: 'HMAC-SHA1' as const, quoter: 'default' as const };
  it('keeps numeric-like extra keys in insertion order and lists them sorted', () => {
    const url = signedUrl('http://e.com/', signRequest({ authUser: 'u', validUntil: '1.0', extra: [['b', '1'], ['10', '2'], ['2', '3']] }, key));
    expect(url).toMatch(/&extra=10%2C2%2Cb&b=1&10=2&2=3$/);
  });
  it('appends ? even when the URL already has a query', () => {
    expect(signedUrl('http://e.com/api/?foo=bar', signRequest({ authUser: 'u', validUntil: '1.0', extra: [] }, key))).toMatch(/^http:\/\/e\.com\/api\/\?foo=bar\?signature=/);
  });
  it('renders generated valid_until as <int>.0', () => {
    expect(formatValidUntil(1378045287.9)).toBe('1378045287.0');
  });
  it('refuses extra keys that would overwrite a field or break the list', () => {
    expect(() => signRequest({ authUser: 'u', validUntil: '1.0', extra: [['auth_user', 'x']] }, key)).toThrow(/overwrite/);
    expect(() => signRequest({ authUser: 'u', validUntil: '1.0', extra: [['a,b', 'x']] }, key)).toThrow(/","/);
  });
});

describe('parameter parsing', () => {
  it('refuses repeated signed fields and extra names, keeps the last of others', () => {
    expect(parseQuery('auth_user=a&auth_user=b')).toEqual({ problem: 'parameter "auth_user" is given more than once' });
    expect(parseQuery('extra=x&x=1&x=2')).toMatchObject({ problem: expect.stringContaining('"x"') });
    expect(parseQuery('?next=1&next=2')).toEqual({ params: new Map([['next', '2']]) });
  });
});

describe('Python json.dumps layout', () => {
  it('uses ", " and ": " and ensure_ascii escapes', () => {
    expect(pythonJsonDumps([['a', 'é"\\'], ['\u{1F600}', '\n']])).toBe('{"a": "\\u00e9\\"\\\\", "\\ud83d\\ude00": "\\n"}');
  });
});

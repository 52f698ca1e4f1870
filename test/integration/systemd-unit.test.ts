import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const unit = 'systemd/authbridge.service';

describe('systemd/authbridge.service (OPS-18)', () => {
  it('passes systemd-analyze security with an exposure below 2.0 ("OK")', () => {
    // --threshold makes systemd-analyze exit non-zero above it (exposure × 10).
    const out = execFileSync('systemd-analyze', ['security', '--offline=true', '--threshold=20', '--no-pager', unit], { encoding: 'utf8' });
    const exposure = Number(/Overall exposure level for authbridge\.service: ([\d.]+)/.exec(out)?.[1]);
    expect(exposure).toBeLessThan(2);
  });

  it('never sets MemoryDenyWriteExecute, which breaks V8', () => {
    expect(readFileSync(unit, 'utf8')).not.toMatch(/^\s*MemoryDenyWriteExecute/m);
  });
});

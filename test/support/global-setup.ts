import { ensureSystemPackages } from './system.js';

export default function setup(): void {
  ensureSystemPackages();
}

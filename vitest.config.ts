import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real key generation, child processes and TLS handshakes: a 2-core machine needs time.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Test files that benchmark compete for the same two cores, so they run one at a time.
    fileParallelism: false,
  },
});

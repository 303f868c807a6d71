import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPkiFactory } from '../../src/pki/factory.ts';

describe('createPkiFactory', () => {
  it('reuses the set for a repeated combination', async () => {
    const factory = createPkiFactory();

    const first = await factory.get('ecdsa-p256', 'ed25519', 1);
    const second = await factory.get('ecdsa-p256', 'ed25519', 1);

    expect(second).toBe(first);
    expect(first.serverKeyType).toBe('ecdsa-p256');
    expect(first.clientKeyType).toBe('ed25519');
    expect(first.chainDepth).toBe(1);
  });

  it('shares one generation between concurrent calls', async () => {
    const factory = createPkiFactory();

    const [first, second] = await Promise.all([factory.get('ed25519', 'ed25519', 0), factory.get('ed25519', 'ed25519', 0)]);

    expect(second).toBe(first);
  });

  it('generates each distinct combination separately', async () => {
    const factory = createPkiFactory();

    const base = await factory.get('ecdsa-p256', 'ecdsa-p256', 0);
    const otherClient = await factory.get('ecdsa-p256', 'ed25519', 0);
    const otherServer = await factory.get('ed25519', 'ecdsa-p256', 0);
    const otherDepth = await factory.get('ecdsa-p256', 'ecdsa-p256', 2);

    const roots = [base, otherClient, otherServer, otherDepth].map((set) => set.caPem);
    expect(new Set(roots).size).toBe(4);
    expect(otherClient.clientKeyType).toBe('ed25519');
    expect(otherServer.serverKeyType).toBe('ed25519');
    expect(otherDepth.intermediates).toHaveLength(2);
  });

  it('shares nothing between factories', async () => {
    const first = await createPkiFactory().get('ed25519', 'ed25519', 0);
    const second = await createPkiFactory().get('ed25519', 'ed25519', 0);

    expect(second.caPem).not.toBe(first.caPem);
    expect(second.server.keyPem).not.toBe(first.server.keyPem);
  });

  it('passes validity options to every set', async () => {
    const validFrom = new Date('2031-06-01T00:00:00Z');
    const factory = createPkiFactory({ validFrom, validDays: 1 });

    const set = await factory.get('ecdsa-p256', 'ecdsa-p256', 0);
    const server = new X509Certificate(set.server.certPem);

    expect(Date.parse(server.validFrom)).toBe(validFrom.getTime());
    expect(Date.parse(server.validTo)).toBe(validFrom.getTime() + 24 * 60 * 60 * 1000);
  });

  it('retries a combination after a failed generation', async () => {
    const factory = createPkiFactory({ validDays: -1 });

    const first = factory.get('ecdsa-p256', 'ecdsa-p256', 0);
    await expect(first).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const second = factory.get('ecdsa-p256', 'ecdsa-p256', 0);

    expect(second).not.toBe(first);
    await expect(second).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

/**
 * The one entry point to @peculiar/x509 in this project. Version 2 resolves its algorithms
 * through tsyringe, which throws at load time unless a Reflect metadata polyfill is in place,
 * so the polyfill import must come before the library's. ES modules evaluate their imports in
 * order, and every other module takes x509 from here.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto and the DOM `Crypto` type that @peculiar/x509 declares describe the same API.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };

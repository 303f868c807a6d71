/**
 * fast-check arbitraries that damage a valid document the way people and broken tools do: a key
 * dropped, misspelt or added, a value of another type, text cut off or a line repeated.
 */
import fc from 'fast-check';

type PathStep = string | number;

/** Lists the paths of every object and list in a document: the places a mutation can apply. */
function containerPaths(value: unknown, path: PathStep[] = []): PathStep[][] {
  if (value === null || typeof value !== 'object') return [];
  const paths: PathStep[][] = [path];
  const entries: [PathStep, unknown][] = Array.isArray(value)
    ? value.map((item, index): [PathStep, unknown] => [index, item])
    : Object.entries(value);
  for (const [key, child] of entries) paths.push(...containerPaths(child, [...path, key]));
  return paths;
}

function at(value: unknown, path: PathStep[]): unknown {
  let current = value;
  for (const step of path) current = (current as Record<PathStep, unknown>)[step];
  return current;
}

/** A value of any JSON type, small enough to keep each case fast. */
export const anyJsonValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e300, -0.5, '', '3s', 'tls1.3', [], {}),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
);

/** Misspells a key by one edit: a character dropped, doubled, changed in case or swapped with the next. */
function misspell(key: string, choice: number): string {
  if (key.length === 0) return 'x';
  const index = choice % key.length;
  switch (Math.floor(choice / key.length) % 4) {
    case 0:
      return key.slice(0, index) + key.slice(index + 1);
    case 1:
      return key.slice(0, index + 1) + key.slice(index);
    case 2:
      return key.slice(0, index) + (key[index] ?? '').toUpperCase() + key.slice(index + 1);
    default:
      return key.slice(0, index) + (key[index + 1] ?? '') + (key[index] ?? '') + key.slice(index + 2);
  }
}

export type Mutation =
  | { kind: 'drop'; target: number; choice: number }
  | { kind: 'replace'; target: number; choice: number; value: unknown }
  | { kind: 'rename'; target: number; choice: number }
  | { kind: 'insert'; target: number; key: string; value: unknown };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), target: fc.nat(), choice: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), target: fc.nat(), choice: fc.nat(), value: anyJsonValue }),
  fc.record({ kind: fc.constant('rename' as const), target: fc.nat(), choice: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    target: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'kind', 'name')),
    value: anyJsonValue,
  }),
);

/** Applies mutations to a deep copy of `document` and returns the copy. */
export function applyMutations(document: unknown, mutations: readonly Mutation[]): unknown {
  let copy = structuredClone(document);
  for (const mutation of mutations) {
    const paths = containerPaths(copy);
    if (paths.length === 0) {
      copy = mutation.kind === 'replace' ? structuredClone(mutation.value) : copy;
      continue;
    }
    const container = at(copy, paths[mutation.target % paths.length] ?? []) as Record<PathStep, unknown> | unknown[];
    const keys = Array.isArray(container) ? container.map((_, index) => index) : Object.keys(container);
    const key = keys.length === 0 ? undefined : keys[('choice' in mutation ? mutation.choice : 0) % keys.length];

    // Values are copied, because fast-check may hand the same object to several mutations, and
    // inserting it twice, once inside itself, would make the document cyclic.
    if (mutation.kind === 'insert') {
      const value = structuredClone(mutation.value);
      if (Array.isArray(container)) container.push(value);
      else Object.defineProperty(container, mutation.key, { value, enumerable: true, writable: true, configurable: true });
    } else if (key === undefined) {
      continue;
    } else if (mutation.kind === 'drop') {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
    } else if (mutation.kind === 'replace') {
      (container as Record<PathStep, unknown>)[key] = structuredClone(mutation.value);
    } else if (!Array.isArray(container)) {
      const value = container[key];
      delete container[key];
      container[misspell(String(key), mutation.choice)] = value;
    }
  }
  return copy;
}

/** Damage to the text itself: cut at an offset, or a line repeated (a duplicate key in YAML). */
export type TextDamage = { kind: 'truncate'; fraction: number } | { kind: 'repeat-line'; line: number };

export const textDamageArbitrary: fc.Arbitrary<TextDamage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('repeat-line' as const), line: fc.nat() }),
);

export function damageText(text: string, damage: TextDamage): string {
  if (damage.kind === 'truncate') return text.slice(0, Math.floor(text.length * damage.fraction));
  const lines = text.split('\n');
  const index = damage.line % lines.length;
  lines.splice(index, 0, lines[index] ?? '');
  return lines.join('\n');
}

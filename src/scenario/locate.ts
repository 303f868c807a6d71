import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

import type { PathSegment } from './messages.ts';

/** Finds the 1-based line of a field path in the suite's source, or null when unknown. */
export type LineLocator = (path: readonly PathSegment[]) => number | null;

/** Locator for suites that have no source lines, such as `.ts` suites. */
export const NO_LINES: LineLocator = () => null;

function keyText(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

/**
 * Creates a locator over a parsed YAML document. A path that ends at a map entry resolves to
 * the line of its key, because a block value starts on a later line than the key it belongs
 * to. A path that leaves the document (a missing key) resolves to its nearest existing parent.
 */
export function createLineLocator(document: Document, lineCounter: LineCounter): LineLocator {
  const lineAt = (node: Node | null | undefined): number | null => {
    const offset = node?.range?.[0];
    return offset === undefined ? null : lineCounter.linePos(offset).line;
  };

  return (path) => {
    let node: unknown = document.contents;
    let line = lineAt(document.contents);

    for (const segment of path) {
      if (isAlias(node)) {
        node = node.resolve(document);
      }
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(segment));
        if (pair === undefined) {
          break;
        }
        line = lineAt(isScalar(pair.key) ? pair.key : null) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined || item === null) {
          break;
        }
        line = lineAt(item as Node) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  };
}

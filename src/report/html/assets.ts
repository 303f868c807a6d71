import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Files inlined into every report: uPlot's minified build and stylesheet, read from
 * node_modules, and the page's own script and stylesheet beside this module. The report loads
 * nothing else, so it opens offline.
 */
export interface PageAssets {
  chartLibraryJs: string;
  chartLibraryCss: string;
  pageJs: string;
  pageCss: string;
  /** uPlot's version, for the page's footer. */
  chartLibraryVersion: string;
}

let cached: PageAssets | null = null;

/** Returns the text, or throws when it contains `closingTag`, which would end its inline element early. */
function checkInlineable(name: string, text: string, closingTag: string): string {
  if (text.toLowerCase().includes(closingTag)) {
    throw new Error(`${name} contains "${closingTag}" and cannot be inlined into the HTML report`);
  }
  return text;
}

/** Reads the inlined files once per process. Throws when uplot is not installed (`npm ci` installs it). */
export function loadPageAssets(): PageAssets {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  const read = (file: string | URL): string => readFileSync(file, 'utf8');
  const libraryJsPath = require.resolve('uplot/dist/uPlot.iife.min.js');
  const libraryCssPath = require.resolve('uplot/dist/uPlot.min.css');
  cached = {
    chartLibraryJs: checkInlineable(libraryJsPath, read(libraryJsPath), '</script'),
    chartLibraryCss: checkInlineable(libraryCssPath, read(libraryCssPath), '</style'),
    pageJs: checkInlineable('page.js', read(new URL('./page.js', import.meta.url)), '</script'),
    pageCss: checkInlineable('page.css', read(new URL('./page.css', import.meta.url)), '</style'),
    chartLibraryVersion: (JSON.parse(read(require.resolve('uplot/package.json'))) as { version: string }).version,
  };
  return cached;
}

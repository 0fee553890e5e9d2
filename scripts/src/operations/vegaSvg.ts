/**
 * Vega-Lite specifications rendered to static SVG when the page is written, so the page itself needs no
 * script and no network. Vega renders SVG as text (no canvas, no native module); without node-canvas it
 * estimates text widths from the font size, which is deterministic.
 *
 * vega and vega-lite ship as ES modules and load lazily (only `status --chart` needs them); the CLI bundle
 * keeps them external (scripts/bundle-externals.json) because vega-canvas uses a top-level await, which a
 * CommonJS bundle cannot hold.
 */
import type { TopLevelSpec } from 'vega-lite';

/** Vega and Vega-Lite warnings go to `onWarning` (the tests fail on any), never to the console. */
export async function renderSvg(spec: TopLevelSpec, onWarning: (message: string) => void = () => undefined): Promise<string> {
  const [{ parse, View, logger, Warn }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const log = logger(Warn, undefined, (_method, _level, input) => onWarning(Array.from(input, String).join(' ')));
  const view = new View(parse(compile(spec, { logger: log }).spec), { renderer: 'none', logger: log });
  try {
    return inlineSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Inline SVG in HTML needs no namespace declarations, and leaving them out keeps every URL off the page.
 */
function inlineSvg(svg: string): string {
  return svg.replace(/ xmlns(:xlink)?="[^"]*"/g, '').replace(/ version="1\.1"/, '');
}

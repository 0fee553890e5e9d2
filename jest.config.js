/** Jest runs the TypeScript sources through SWC (transpile only; `tsc --noEmit` type-checks).
 *  jose and vega (with vega-lite and the d3 modules they use) ship ESM only, so they are transformed to CommonJS too. */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/function', '<rootDir>/scripts', '<rootDir>/infra', '<rootDir>/lib', '<rootDir>/policy', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(jose|vega|vega-[^/]+|d3-[^/]+|internmap|delaunator|robust-predicates|json-stringify-pretty-compact)/)'],
  // vega-canvas's Node build awaits at top level, which CommonJS cannot; its browser build finds no canvas and
  // lets Vega estimate text widths, as the CLI does without node-canvas.
  moduleNameMapper: { '^vega-canvas$': '<rootDir>/node_modules/vega-canvas/build/vega-canvas.browser.js' },
  testTimeout: 30000,
  // One process for the whole suite (Jest runs in band on a 2-core machine) grew past 20 GB of resident memory
  // while its JavaScript heap stayed near 1.3 GB: memory the infra test files' modules (the Pulumi SDK,
  // azure-native) leave behind and the process never returns. A worker whose heap has passed this limit is
  // replaced between test files, which gives all of it back.
  workerIdleMemoryLimit: '512MB',
};

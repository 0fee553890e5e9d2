/** Jest runs the TypeScript sources through SWC (transpile only; `tsc --noEmit` type-checks).
 *  jose ships ESM only, so it is transformed to CommonJS too. */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/function', '<rootDir>/scripts', '<rootDir>/infra', '<rootDir>/lib', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 30000,
};

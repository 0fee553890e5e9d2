/** Azure Functions v4 registration of the B2C endpoints (README "B2C mode"): /api/b2c/signin, signup, password-reset, health. */
import { app } from '@azure/functions';
import { B2C_ROUTES } from '../../../lib/b2c/contract';
import { onB2cRequest } from '../app/httpEntry';

// Anonymous at the platform level on purpose: B2C's credential (B2cApiAuth) is checked in code (docs/b2c-contracts.md).
const functions = [
  ['b2cSignIn', B2C_ROUTES.signIn, 'POST'],
  ['b2cSignUp', B2C_ROUTES.signUp, 'POST'],
  ['b2cPasswordReset', B2C_ROUTES.passwordReset, 'POST'],
  ['b2cHealth', B2C_ROUTES.health, 'GET'],
] as const;

for (const [name, route, method] of functions) {
  app.http(name, { methods: [method], authLevel: 'anonymous', route, handler: onB2cRequest(route) });
}

/** Azure Functions v4 programming model registration: POST callout and GET health at /api/onPasswordSubmit. */
import { app } from '@azure/functions';
import { onPasswordSubmit } from '../app/httpEntry';

// Anonymous at the platform level on purpose: the bearer token is validated in code (docs/entra-contracts.md#caller-token).
app.http('onPasswordSubmit', {
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  route: 'onPasswordSubmit',
  handler: onPasswordSubmit,
});

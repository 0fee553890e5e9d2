/**
 * `<prefix>_Migration`: the layer on the team's base policy holding the migration's claims, profiles and
 * journeys, on top of the team's starter-pack chain. The two relying parties build on it.
 */
import { B2C_CLAIMS } from '../contract';
import { aadCommonOverride, directoryProfiles } from './directoryProfiles';
import { claimsProvider, policyDocument } from './elements';
import { B2C_LAYER_CLAIMS, B2C_LAYER_TRANSFORMATIONS } from './ids';
import { userJourneys } from './journeys';
import type { ResolvedB2cPolicyOptions } from './options';
import { restProfiles } from './restProfiles';
import { selfAssertedProfiles } from './selfAssertedProfiles';
import { element, textElement, type XmlElement } from './xml';

function claimType(id: string, dataType: 'string' | 'boolean', displayName: string, adminHelp: string): XmlElement {
  return element('ClaimType', { Id: id }, [textElement('DisplayName', displayName), textElement('DataType', dataType), textElement('AdminHelpText', adminHelp)]);
}

function claimsSchema(options: ResolvedB2cPolicyOptions): XmlElement {
  const bearer = options.auth === 'bearer';
  return element('ClaimsSchema', {}, [
    claimType(B2C_LAYER_CLAIMS.requiresMigration, 'boolean', 'Requires migration', 'True while the password still lives in the legacy store (b2c-extensions-app attribute).'),
    claimType(B2C_LAYER_CLAIMS.migrationOutcome, 'string', 'Migration outcome', 'The function\'s answer: migrated or notLegacy.'),
    claimType(B2C_LAYER_CLAIMS.foundInB2c, 'boolean', 'Found in B2C', 'The sign-in name has a B2C account.'),
    claimType(B2C_LAYER_CLAIMS.notInB2c, 'boolean', 'Not in B2C', 'The sign-in name has no B2C account.'),
    claimType(B2C_LAYER_CLAIMS.callApi, 'boolean', 'Call the migration API', 'The account is missing or flagged: check the password with the legacy store.'),
    bearer && claimType(B2C_LAYER_CLAIMS.bearerToken, 'string', 'Bearer token', 'The access token for the function\'s API.'),
    bearer && claimType(B2C_LAYER_CLAIMS.grantType, 'string', 'grant_type', 'OAuth 2.0 grant type of the token request.'),
    bearer && claimType(B2C_LAYER_CLAIMS.scope, 'string', 'scope', 'OAuth 2.0 scope of the token request.'),
  ]);
}

function transformation(id: string, method: string, inputs: readonly (readonly [string, string])[], output: string): XmlElement {
  return element('ClaimsTransformation', { Id: id, TransformationMethod: method }, [
    element('InputClaims', {}, inputs.map(([claim, role]) => element('InputClaim', { ClaimTypeReferenceId: claim, TransformationClaimType: role }))),
    element('OutputClaims', {}, [element('OutputClaim', { ClaimTypeReferenceId: output, TransformationClaimType: 'outputClaim' })]),
  ]);
}

/** jitCallApi = requiresMigration OR no B2C account. */
function claimsTransformations(): XmlElement {
  return element('ClaimsTransformations', {}, [
    transformation(B2C_LAYER_TRANSFORMATIONS.foundInB2c, 'DoesClaimExist', [[B2C_CLAIMS.objectId, 'inputClaim']], B2C_LAYER_CLAIMS.foundInB2c),
    transformation(B2C_LAYER_TRANSFORMATIONS.notInB2c, 'NotClaims', [[B2C_LAYER_CLAIMS.foundInB2c, 'inputClaim']], B2C_LAYER_CLAIMS.notInB2c),
    transformation(
      B2C_LAYER_TRANSFORMATIONS.callApi,
      'OrClaims',
      [
        [B2C_LAYER_CLAIMS.requiresMigration, 'inputClaim1'],
        [B2C_LAYER_CLAIMS.notInB2c, 'inputClaim2'],
      ],
      B2C_LAYER_CLAIMS.callApi,
    ),
  ]);
}

export function migrationLayer(options: ResolvedB2cPolicyOptions): XmlElement {
  return policyDocument(options.tenant, options.policyIds.migration, options.basePolicy, [
    element('BuildingBlocks', {}, [claimsSchema(options), claimsTransformations()]),
    element('ClaimsProviders', {}, [
      claimsProvider('Azure Active Directory', [aadCommonOverride(options), ...directoryProfiles()]),
      claimsProvider('JIT migration REST API', restProfiles(options)),
      claimsProvider('Local Account (JIT migration)', selfAssertedProfiles(options)),
    ]),
    userJourneys(),
  ]);
}

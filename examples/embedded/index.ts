/**
 * Example: a platform team's Pulumi program that embeds the JIT migration as one component, in its landing
 * zone (README "Use it from another Pulumi program"). It brings its own resource group, Log Analytics
 * workspace and action group, names everything with its prefix, tags it as its policies demand, and hands the
 * component an explicit azure-native provider (here for the landing zone's subscription).
 *
 * Its own stack config (namespace `landing`): subscriptionId, location, externalIdTenantId,
 * externalIdTenantDomain, clientAppIds (list), and optionally a secret legacyServiceApiKey.
 */
import * as pulumi from '@pulumi/pulumi';
import * as azureNative from '@pulumi/azure-native';
import { parseConfigValues } from '../../infra/config';
import { JitMigration } from '../../infra/jitMigration';

const landing = new pulumi.Config('landing');
const subscriptionId = landing.require('subscriptionId');
const location = landing.require('location');
const logs = `/subscriptions/${subscriptionId}/resourceGroups/rg-platform-logs`;

// Every Azure resource of the component goes through this provider (its children inherit it).
const landingZone = new azureNative.Provider('landing-zone', { subscriptionId, location });

// The same keys and rules as the standalone program's Pulumi.yaml; a mistake throws one error listing them all.
const config = parseConfigValues({
  project: pulumi.getProject(),
  stack: pulumi.getStack(),
  location,
  values: {
    environment: 'prod',
    prefix: 'lzjit',
    tags: ['cost-center=4711', 'data-classification=confidential'],
    externalIdTenantId: landing.require('externalIdTenantId'),
    externalIdTenantDomain: landing.require('externalIdTenantDomain'),
    clientAppIds: landing.requireObject<string[]>('clientAppIds'),
    existingResourceGroupName: 'rg-identity-jit-prod',
    existingLogAnalyticsWorkspaceId: `${logs}/providers/Microsoft.OperationalInsights/workspaces/law-platform-central`,
    alertActionGroupId: `${logs}/providers/microsoft.insights/actionGroups/ag-identity-oncall`,
    ...(landing.get('legacyServiceApiKey') ? { legacyStore: 'http', legacyServiceUrl: 'https://users.corp.contoso.com/verify' } : {}),
  },
  secrets: { legacyServiceApiKey: landing.getSecret('legacyServiceApiKey') },
});

const migration = new JitMigration('jit-migration', config, { providers: { 'azure-native': landingZone } });

export const functionUrl = migration.functionUrl;
export const keyVaultName = migration.keyVaultName;
export const tableEndpoint = migration.tableEndpoint;
export const certificateExpiresOn = migration.certificateExpiresOn;

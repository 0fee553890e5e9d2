/** Bundle entry for dist/infra/providers.cjs: every dynamic provider implementation, by the name shim.ts uses. */
import type * as pulumi from '@pulumi/pulumi';
import { functionCodeDeploymentProvider } from './functionCodeDeployment';
import { graphB2cUserFlowProvider } from './graph/b2cUserFlow';
import { graphApplicationEncryptionKeyProvider } from './graph/applicationEncryptionKey';
import { graphCustomAuthenticationExtensionProvider } from './graph/customAuthenticationExtension';
import { graphEventListenerProvider } from './graph/eventListener';
import { graphExtensionPropertyProvider } from './graph/extensionProperty';
import { graphServicePrincipalProvider } from './graph/servicePrincipal';
import { graphTrustFrameworkKeySetProvider } from './graph/trustFrameworkKeySet';
import { graphTrustFrameworkPolicyProvider } from './graph/trustFrameworkPolicy';
import { keyVaultCertificateProvider } from './keyVaultCertificate';
import type { ProviderName } from './shim';

export const providers: Record<ProviderName, pulumi.dynamic.ResourceProvider> = {
  keyVaultCertificate: keyVaultCertificateProvider,
  functionCodeDeployment: functionCodeDeploymentProvider,
  graphExtensionProperty: graphExtensionPropertyProvider,
  graphServicePrincipal: graphServicePrincipalProvider,
  graphApplicationEncryptionKey: graphApplicationEncryptionKeyProvider,
  graphCustomAuthenticationExtension: graphCustomAuthenticationExtensionProvider,
  graphEventListener: graphEventListenerProvider,
  graphTrustFrameworkPolicy: graphTrustFrameworkPolicyProvider,
  graphTrustFrameworkKeySet: graphTrustFrameworkKeySetProvider,
  graphB2cUserFlow: graphB2cUserFlowProvider,
};

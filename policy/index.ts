/**
 * The policy pack the Pulumi CLI runs (`pulumi preview --policy-pack policy`, README "Policy pack for
 * auditors"). Constructing it starts the policy server and reads ./package.json's version from the working
 * directory (this folder): tests use policies.ts instead.
 */
import { PolicyPack } from '@pulumi/policy';
import { POLICY_PACK_NAME, SECURITY_POLICIES } from './policies';

new PolicyPack(POLICY_PACK_NAME, { policies: SECURITY_POLICIES });

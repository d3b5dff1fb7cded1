import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ResolvedStatement } from '../private/policy-analysis';

/** Condition keys that tie a service principal's request to the resource (or account) it acts for. */
const SOURCE_KEY = /^(aws:SourceArn|aws:SourceAccount|aws:SourceOrgID|aws:SourceOrgPaths|kms:EncryptionContext:.+)$/i;

/**
 * Warns about Allow statements of a finished key policy that give a service principal use of the key
 * with no condition naming the source (confused deputy): any resource of any account could have that
 * service use the key. aws-cdk-lib integrations add such statements (for example an SQS subscription
 * to an encrypted queue, or an encrypted queue as an EventBridge target, without their feature flags).
 */
export function warnServicePrincipalsWithoutSource(key: IConstruct, statements: ResolvedStatement[]): void {
  for (const st of statements) {
    const services = serviceNames(st.Principal);
    if (st.Effect !== 'Allow' || services.length === 0) {
      continue;
    }
    const keys = Object.values(st.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
    if (!keys.some((k) => SOURCE_KEY.test(k))) {
      Annotations.of(key).addWarningV2(
        'cdk-kms-patterns:servicePrincipalWithoutSource',
        `the key policy statement '${st.Sid ?? '(no Sid)'}' gives ${services.join(', ')} use of the key without aws:SourceArn, aws:SourceAccount ` +
        'or an encryption context, so resources of any account could have the service use the key (confused deputy); ' +
        'it is often added by an aws-cdk-lib integration: use a ServicePreset for the service instead, or turn on the integration\'s feature flag',
      );
    }
  }
}

function serviceNames(principal: unknown): string[] {
  if (typeof principal !== 'object' || principal === null) {
    return [];
  }
  const service = (principal as Record<string, unknown>).Service;
  if (service === undefined) {
    return [];
  }
  return (Array.isArray(service) ? service : [service]).map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
}

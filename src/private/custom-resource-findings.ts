import { Stack } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { acknowledgeFinding } from './acknowledge';

/**
 * The compliance packs' findings on aws-cdk-lib's AwsCustomResource, each with the reason it does not
 * apply: the provider function runs only when CloudFormation creates, updates or deletes the resource.
 */
const PROVIDER_FUNCTION_FINDINGS: { id: string; reason: string }[] = [
  {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The AwsCustomResource provider of aws-cdk-lib writes its logs with AWS\'s basic execution policy; every other permission comes from each custom resource\'s own least-privilege statements',
  },
  ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [
    {
      id: `${pack}::${pack}-LambdaConcurrency`,
      reason: 'Invoked by CloudFormation alone, once per create, update or delete of this stack\'s custom resources: no concurrency to reserve',
    },
    {
      id: `${pack}::${pack}-LambdaDLQ`,
      reason: 'Invoked synchronously by CloudFormation, which reports every failure in the deployment: a dead-letter queue would never receive an event',
    },
  ]),
  ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
    id: `${pack}::${pack}-LambdaInsideVPC`,
    reason: 'Calls only AWS APIs (EC2, KMS) during deployment and reaches nothing inside a VPC',
  })),
];

const INLINE_POLICY_REASON = 'aws-cdk-lib\'s AwsCustomResource gives each custom resource its own least-privilege statements (on that resource\'s ARN only) as an inline policy of the provider role';

/** Acknowledges, with their reasons, the packs' findings on an AwsCustomResource and its provider. */
export function acknowledgeCustomResourceFindings(resource: cr.AwsCustomResource): void {
  const policy = resource.node.tryFindChild('CustomResourcePolicy');
  if (policy !== undefined) {
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      acknowledgeFinding(policy, `${pack}::${pack}-IAMNoInlinePolicy`, INLINE_POLICY_REASON);
    }
  }
  const provider = Stack.of(resource).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (provider !== undefined) {
    for (const finding of PROVIDER_FUNCTION_FINDINGS) {
      acknowledgeFinding(provider, finding.id, finding.reason);
    }
  }
}

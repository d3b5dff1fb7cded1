import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';
import { acknowledgeFinding } from './acknowledge';

/**
 * The compliance packs' findings on a function of the library's custom resources, each with the reason it
 * does not apply: the function runs only when CloudFormation creates, updates or deletes the resource.
 */
const CUSTOM_RESOURCE_FUNCTION_FINDINGS: { id: string; reason: string }[] = [
  ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [
    {
      id: `${pack}::${pack}-LambdaConcurrency`,
      reason: 'Invoked by CloudFormation alone, once per create, update or delete of this stack\'s custom resources: no concurrency to reserve',
    },
    {
      id: `${pack}::${pack}-LambdaDLQ`,
      reason: 'Invoked by CloudFormation, which waits for the function\'s answer and reports every failure (or its timeout) in the deployment: a dead-letter queue would add nothing',
    },
  ]),
  ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
    id: `${pack}::${pack}-LambdaInsideVPC`,
    reason: 'Calls only AWS APIs (EC2, KMS) during deployment and reaches nothing inside a VPC',
  })),
];

/** The findings on aws-cdk-lib's AwsCustomResource provider function (which has a role of its own). */
const PROVIDER_FUNCTION_FINDINGS: { id: string; reason: string }[] = [
  {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The AwsCustomResource provider of aws-cdk-lib writes its logs with AWS\'s basic execution policy; every other permission comes from each custom resource\'s own least-privilege statements',
  },
  ...CUSTOM_RESOURCE_FUNCTION_FINDINGS,
];

/**
 * The log group a function gets under `@aws-cdk/aws-lambda:useCdkManagedLogGroup` (two years' retention,
 * no KMS key).
 */
const LOG_GROUP_FINDINGS: { id: string; reason: string }[] = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
  id: `${pack}::${pack}-CloudWatchLogGroupEncrypted`,
  reason: 'Holds only the request types, physical ids and AWS error messages of the library\'s custom resources (ids of snapshots, images, accounts and grants, no data); CloudWatch Logs encrypts it at rest',
}));

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
    acknowledgeAll(provider, PROVIDER_FUNCTION_FINDINGS);
  }
}

/**
 * Acknowledges, with their reasons, the packs' findings on the library's share handler (it runs as the
 * provider role, whose basic execution policy is acknowledged there).
 */
export function acknowledgeShareHandlerFindings(handler: lambda.Function): void {
  acknowledgeAll(handler, CUSTOM_RESOURCE_FUNCTION_FINDINGS);
}

function acknowledgeAll(fn: IConstruct, findings: { id: string; reason: string }[]): void {
  for (const finding of findings) {
    acknowledgeFinding(fn, finding.id, finding.reason);
  }
  const logGroup = fn.node.tryFindChild('LogGroup');
  if (logGroup !== undefined) {
    for (const finding of LOG_GROUP_FINDINGS) {
      acknowledgeFinding(logGroup, finding.id, finding.reason);
    }
  }
}

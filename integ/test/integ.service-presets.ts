/**
 * A key used by CloudWatch Logs (a real encrypted log group), by a role through S3 only, and by
 * EventBridge publishing to an encrypted topic, inside an organization and a network perimeter.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { CustomerManagedKey, KeyPerimeter, ServicePreset, ServiceVia } from 'cdk-kms-patterns';

const app = new App();
const stack = new Stack(app, 'ServicePresetsInteg', { env: { account: '111111111111', region: 'eu-west-1' } });

const admins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
const uploader = new iam.Role(stack, 'Uploader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

const key = new CustomerManagedKey(stack, 'Key', { description: 'integ: service presets and perimeters', admins: [admins] });
key.allowUseVia(ServiceVia.s3(), { principals: [uploader] });
key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/integ/service-presets'] }));
key.addServicePreset(ServicePreset.eventBridgeToSns({ ruleNames: ['integ-orders'], topicNames: ['integ-orders'] }));
key.addPerimeter(KeyPerimeter.organization('o-exampleorgid1'));
key.addPerimeter(KeyPerimeter.network({ vpcEndpointIds: ['vpce-0123456789abcdef0'] }));

new logs.LogGroup(stack, 'Logs', {
  logGroupName: '/integ/service-presets',
  encryptionKey: key,
  retention: logs.RetentionDays.ONE_WEEK,
  removalPolicy: RemovalPolicy.DESTROY,
});
new sns.Topic(stack, 'Topic', { topicName: 'integ-orders', masterKey: key });
new events.Rule(stack, 'Rule', { ruleName: 'integ-orders', eventPattern: { source: ['integ.orders'] } });

new IntegTest(app, 'ServicePresets', { testCases: [stack] });

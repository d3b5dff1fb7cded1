import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { ACCOUNT, newApp, newStack, OTHER_ACCOUNT, REGION, synthFindings } from './nag';
import { CustomerManagedKey, KeyDeletionAlarm, KmsGoldenRules } from '../../src';
import { decide, Decision, idOf, World } from '../helpers/world';

describe('KeyDeletionAlarm', () => {
  test('matches ScheduleKeyDeletion and DisableKey of the key, by ARN or id, from CloudTrail', () => {
    // GIVEN
    const stack = newStack(newApp());
    const key = new CustomerManagedKey(stack, 'Key');

    // WHEN
    new KeyDeletionAlarm(stack, 'Alarm', { key });

    // THEN
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        'source': ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['kms.amazonaws.com'],
          eventName: ['ScheduleKeyDeletion', 'DisableKey'],
          requestParameters: { keyId: [{ 'Fn::GetAtt': [keyId, 'Arn'] }, { Ref: keyId }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('AlarmTopic') } })],
    });
  });

  test('creates a topic encrypted with its own customer-managed key, refusing requests without TLS', () => {
    // GIVEN
    const stack = newStack(newApp());
    const key = new CustomerManagedKey(stack, 'Key');

    // WHEN
    const alarm = new KeyDeletionAlarm(stack, 'Alarm', { key });

    // THEN
    const template = Template.fromStack(stack);
    const topicKeyId = stack.getLogicalId(alarm.node.findChild('TopicKey').node.defaultChild as kms.CfnKey);
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [topicKeyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'EventBridgePublishesToTopic',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        }]),
      },
    });
  });

  test('notifies a given topic and creates no topic or key of its own', () => {
    // GIVEN
    const stack = newStack(newApp());
    const key = new CustomerManagedKey(stack, 'Key');
    const topic = sns.Topic.fromTopicArn(stack, 'Ops', `arn:aws:sns:us-east-1:${ACCOUNT}:ops`);

    // WHEN
    const alarm = new KeyDeletionAlarm(stack, 'Alarm', { key, topic });

    // THEN
    const template = Template.fromStack(stack);
    expect(alarm.topic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: topic.topicArn })] });
  });

  test('watches an imported key', () => {
    // GIVEN
    const stack = newStack(newApp());
    const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const key = kms.Key.fromKeyArn(stack, 'Imported', arn);

    // WHEN
    new KeyDeletionAlarm(stack, 'Alarm', { key });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ requestParameters: { keyId: [arn, '1234abcd-12ab-34cd-56ef-1234567890ab'] } }),
      }),
    });
  });
});

describe('KeyDeletionAlarm: EventBridge, its only service principal, is held to its source', () => {
  // GIVEN the alarm with its own topic and topic key, deployed
  const stack = newStack(newApp());
  const key = new CustomerManagedKey(stack, 'Key');
  const alarm = new KeyDeletionAlarm(stack, 'Alarm', { key });
  const world = new World(stack);
  const topicKey = idOf(alarm.node.findChild('TopicKey'));
  const ruleArn = world.arnOf(idOf(alarm.rule));
  const topicArn = world.arnOf(idOf(alarm.topic));
  const otherRuleArn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/another-rule`;
  const foreignRuleArn = `arn:aws:events:${REGION}:${OTHER_ACCOUNT}:rule/${ruleArn.split('/').pop()}`;
  const topicPolicy = () => {
    const [id] = Object.keys(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'));
    return world.resolveIn(id, Template.fromStack(stack).toJSON().Resources[id].Properties.PolicyDocument);
  };
  /** A request of events.amazonaws.com, as a rule of the given ARN sends it. */
  const asEventBridge = (action: string, resource: string, policy: any, sourceArn: string): Promise<Decision> => decide({
    principal: 'events.amazonaws.com',
    action,
    resource,
    resourceAccount: ACCOUNT,
    identityPolicies: [],
    resourcePolicy: policy,
    context: { 'aws:PrincipalIsAWSService': 'true', 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceArn.split(':')[4] },
  });

  test('no statement of the topic key names a service principal without aws:SourceAccount or aws:SourceArn', () => {
    const statements: any[] = world.keyPolicy(topicKey).Statement;
    const services = statements.filter((st) => st.Principal?.Service !== undefined);
    expect(services.length).toBeGreaterThan(0);
    for (const st of services) {
      const keys = Object.values(st.Condition ?? {}).flatMap((c: any) => Object.keys(c));
      expect(`${st.Sid}: ${keys.filter((k) => /^aws:Source(Account|Arn)$/.test(k)).length > 0}`).toBe(`${st.Sid}: true`);
    }
  });

  test('the alarm\'s own rule may encrypt for the topic and publish to it', async () => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(await asEventBridge(action, world.arnOf(topicKey), world.keyPolicy(topicKey), ruleArn)).toBe('Allowed');
    }
    expect(await asEventBridge('sns:Publish', topicArn, topicPolicy(), ruleArn)).toBe('Allowed');
  });

  test('a rule of another account may neither use the topic key nor publish', async () => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(await asEventBridge(action, world.arnOf(topicKey), world.keyPolicy(topicKey), foreignRuleArn)).toBe('ImplicitlyDenied');
    }
    expect(await asEventBridge('sns:Publish', topicArn, topicPolicy(), foreignRuleArn)).toBe('ImplicitlyDenied');
  });

  test('another rule of the same account may not publish: the topic policy holds publishing to the alarm\'s rule', async () => {
    // The topic key is held to the account only (the rule's ARN there would be a dependency cycle); without
    // sns:Publish the other rule's data key encrypts nothing.
    expect(await asEventBridge('sns:Publish', topicArn, topicPolicy(), otherRuleArn)).toBe('ImplicitlyDenied');
    expect(await asEventBridge('kms:GenerateDataKey', world.arnOf(topicKey), world.keyPolicy(topicKey), otherRuleArn)).toBe('Allowed');
  });

  test('control: the same requests without the source conditions would be allowed from anywhere', async () => {
    const statements: any[] = world.keyPolicy(topicKey).Statement;
    const open = { Version: '2012-10-17', Statement: statements.map(({ Condition, ...st }) => (st.Principal?.Service ? st : { ...st, ...(Condition ? { Condition } : {}) })) };
    expect(await asEventBridge('kms:GenerateDataKey', world.arnOf(topicKey), open, foreignRuleArn)).toBe('Allowed');
  });
});

describe('KeyDeletionAlarm under the recommended feature flags', () => {
  test('synthesizes with no finding of KmsGolden, AwsSolutions, NIST 800-53 R5, HIPAA and PCI DSS 3.2.1', () => {
    // GIVEN an app with the feature flags that \`cdk init\` writes today
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'alarm-flags-')), context: { ...CURRENTLY_RECOMMENDED_FLAGS } });
    const stack = newStack(app);
    const key = new CustomerManagedKey(stack, 'Key', {
      admins: [new iam.Role(stack, 'KeyAdmin', { assumedBy: new iam.AccountRootPrincipal() })],
      users: [new iam.Role(stack, 'KeyUser', { assumedBy: new iam.AccountRootPrincipal() })],
    });

    // WHEN
    new KeyDeletionAlarm(stack, 'DeletionAlarm', { key });
    const findings = synthFindings(app, [
      new KmsGoldenRules(app),
      new AwsSolutionsChecks(app),
      new NIST80053R5Checks(app),
      new HIPAASecurityChecks(app),
      new PCIDSS321Checks(app),
    ]);

    // THEN nothing is found, on the alarm nor on any custom resource provider (with its log group) that the flags add
    expect(findings).toEqual([]);
  });
});

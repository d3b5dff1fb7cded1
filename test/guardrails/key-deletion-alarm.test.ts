import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ACCOUNT, newApp, newStack } from './nag';
import { CustomerManagedKey, KeyDeletionAlarm } from '../../src';

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

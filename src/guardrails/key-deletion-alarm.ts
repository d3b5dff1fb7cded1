import { Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CustomerManagedKey } from '../key/customer-managed-key';
import { checkPropsShape, InputProblems } from '../private/validation';

/**
 * Properties of a `KeyDeletionAlarm`.
 */
export interface KeyDeletionAlarmProps {
  /**
   * The key to watch. The alarm must live in the key's account and region: EventBridge delivers
   * CloudTrail events only in the region where the call was made.
   */
  readonly key: kms.IKey;

  /**
   * The topic to notify. If it is encrypted with a KMS key, that key's policy must let
   * `events.amazonaws.com` call `kms:GenerateDataKey` and `kms:Decrypt`.
   *
   * @default - a new topic, encrypted with a new customer-managed key (never the watched key: a
   * disabled key could not encrypt its own alarm) and refusing requests without TLS
   */
  readonly topic?: sns.ITopic;
}

/** The calls that start the loss of a key: scheduling its deletion, and disabling it. */
const KEY_LOSS_EVENTS = ['ScheduleKeyDeletion', 'DisableKey'];

/**
 * Notifies an SNS topic when someone schedules the deletion of a KMS key or disables it, from the
 * CloudTrail record of the call.
 *
 * The account needs a CloudTrail trail that logs management events: EventBridge receives
 * "AWS API Call via CloudTrail" events only then.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-creating-cloudwatch-alarm.html
 */
export class KeyDeletionAlarm extends Construct {
  /** The topic that is notified. */
  public readonly topic: sns.ITopic;

  /** The EventBridge rule that matches the calls. */
  public readonly rule: events.IRule;

  constructor(scope: Construct, id: string, props: KeyDeletionAlarmProps) {
    super(scope, id);
    validate(this, props);

    const ownTopic = props.topic === undefined ? this.createTopic() : undefined;
    this.topic = props.topic ?? ownTopic!;

    const rule = new events.Rule(this, 'Rule', {
      description: `Calls of ${KEY_LOSS_EVENTS.join(' or ')} on a KMS key`,
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['kms.amazonaws.com'],
          eventName: KEY_LOSS_EVENTS,
          // The caller names the key by id or by ARN (these calls take no alias): match both.
          requestParameters: { keyId: [props.key.keyArn, props.key.keyId] },
        },
      },
    });
    if (ownTopic !== undefined) {
      // targets.SnsTopic would grant events.amazonaws.com publishing and the key's use through
      // topic.grantPublish(), without any condition: the topic policy holds it to this rule, and the
      // key statement of createTopic() to this account.
      ownTopic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'EventBridgeRulePublishes',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [ownTopic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }));
      rule.addTarget({ bind: () => ({ arn: ownTopic.topicArn, targetResource: ownTopic }) });
    } else {
      // The SnsTopic target would grant events.amazonaws.com the topic's key with no source condition, which
      // the library's keys refuse (confused deputy): the topic policy is written here, held to the rule, and
      // the target gets a reference to the topic that grants nothing.
      this.topic.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }));
      rule.addTarget(new targets.SnsTopic(sns.Topic.fromTopicArn(this, 'TopicRef', this.topic.topicArn)));
    }
    this.rule = rule;
  }

  private createTopic(): sns.Topic {
    const stack = Stack.of(this);
    const topicKey = new CustomerManagedKey(this, 'TopicKey', {
      description: 'Encrypts the notifications of a KMS key deletion alarm',
    });
    // EventBridge encrypts what it publishes to the topic. SourceAccount rather than the rule's ARN:
    // the rule depends on the topic, which depends on this key, so the ARN would make a cycle.
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgePublishesToTopic',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    return new sns.Topic(this, 'Topic', {
      displayName: 'KMS key deletion alarm',
      masterKey: topicKey,
      enforceSSL: true,
    });
  }
}

/**
 * The alarm sees only what EventBridge receives in its own account and region, and must still be able to
 * publish when the watched key is disabled.
 */
function validate(alarm: Construct, props: KeyDeletionAlarmProps): void {
  const problems = new InputProblems(alarm.node.path);
  if (!checkPropsShape(problems, props, { key: 'the kms.IKey to watch' })) {
    problems.throwIfAny();
  }
  const stack = Stack.of(alarm);
  const key = props.key;
  const keyEnv = key.env ?? Stack.of(key);
  for (const [what, keyValue, here] of [['account', keyEnv.account, stack.account], ['region', keyEnv.region, stack.region]] as const) {
    if (Token.compareStrings(keyValue, here) === TokenComparison.DIFFERENT) {
      problems.add(
        `key ${key.node.path} is in ${what} ${keyValue}, this alarm's stack in ${here}; EventBridge receives CloudTrail events only ` +
        `in the ${what} of the call: allowed: a key of ${what} ${here} (create the alarm in a stack of the key's account and region)`,
      );
    }
  }
  const topicKey = (props.topic as { masterKey?: kms.IKey } | undefined)?.masterKey;
  if (topicKey !== undefined && (topicKey === key || Token.compareStrings(topicKey.keyArn, key.keyArn) === TokenComparison.SAME)) {
    problems.add(
      `topic ${props.topic!.node.path} is encrypted with the watched key ${key.node.path}: once the key is disabled or pending deletion, ` +
      'the alarm could not publish; allowed: a topic encrypted with another key, or no topic (a new one with its own key)',
    );
  }
  problems.throwIfAny();
}

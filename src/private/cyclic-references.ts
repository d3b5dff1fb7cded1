/**
 * Statements that aws-cdk-lib integrations add to a key policy can name, by reference, a resource that is
 * itself encrypted with the key: `SqsSubscription` (under `@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption`,
 * a recommended flag) gives `sns.amazonaws.com` use of the queue's key held to `aws:SourceArn` = the topic's
 * ARN. When the topic is encrypted with the same key, the key depends on the topic and the topic on the key:
 * CloudFormation refuses the template (one stack) or the CDK refuses the stacks (two stacks).
 *
 * The key policy names such a topic by its literal ARN instead, built from its name: the name given, or
 * one generated here (the topic could not have been deployed before: its template had the cycle).
 */
import { createHash } from 'crypto';
import { Arn, ArnFormat, CfnResource, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { failInput } from './validation';

/**
 * Rewrites, in place, every condition value of the statement that references an SNS topic encrypted with
 * the key (`keyResource`) into the topic's literal ARN. Other values are left as they are.
 */
export function withoutCyclicTopicReferences(key: IConstruct, keyResource: CfnResource, statement: iam.PolicyStatement): void {
  const conditions = statement.conditions as Record<string, Record<string, unknown>> | undefined;
  for (const [operator, entries] of Object.entries(conditions ?? {})) {
    for (const [conditionKey, value] of Object.entries(entries ?? {})) {
      let changed = false;
      const rewrite = (v: unknown): unknown => {
        const topic = encryptedTopicOf(v, keyResource);
        changed = changed || topic !== undefined;
        return topic ? literalTopicArn(key, topic) : v;
      };
      const rewritten = Array.isArray(value) ? value.map(rewrite) : rewrite(value);
      if (changed) {
        statement.addCondition(operator, { [conditionKey]: rewritten });
      }
    }
  }
}

/** The CfnTopic that a value references (its ARN) when the topic is encrypted with the key. */
function encryptedTopicOf(value: unknown, keyResource: CfnResource): sns.CfnTopic | undefined {
  if (typeof value !== 'string' || !Token.isUnresolved(value)) {
    return undefined;
  }
  const target = referenceTarget(value);
  if (!(target instanceof sns.CfnTopic) || target.kmsMasterKeyId === undefined) {
    return undefined;
  }
  return referenceTarget(target.kmsMasterKeyId) === keyResource ? target : undefined;
}

function referenceTarget(value: string): IConstruct | undefined {
  const token = Tokenization.reverseString(value);
  const resolvable = token.length === 1 ? token.firstToken : undefined;
  return Reference.isReference(resolvable) ? resolvable.target : undefined;
}

function literalTopicArn(key: IConstruct, topic: sns.CfnTopic): string {
  const stack = Stack.of(topic);
  // An L2 Topic writes its physical name as a token, which resolves to undefined when it has none.
  let name: string | undefined = topic.topicName === undefined ? undefined : stack.resolve(topic.topicName);
  if (name !== undefined && (typeof name !== 'string' || Token.isUnresolved(name))) {
    failInput(topic.node.path, `the key ${key.node.path} encrypts this topic, and a statement added to its key policy (an ` +
      'SqsSubscription\'s, for example) names the topic: the key policy must name it by a literal ARN (a reference would make the key ' +
      `and the topic depend on each other), but its topicName is not known before deployment (${JSON.stringify(name)}): give it a ` +
      'literal topicName, or no name');
  }
  if (name === undefined) {
    if (Token.isUnresolved(stack.stackName)) {
      failInput(topic.node.path, `the key ${key.node.path} encrypts this topic, and a statement added to its key policy names ` +
        'the topic: the key policy must name it by a literal ARN, and a name cannot be generated in a stack whose name is not ' +
        'known: give the topic a literal topicName');
    }
    name = generatedTopicName(topic, stack);
    topic.topicName = name;
  }
  return Arn.format({ service: 'sns', resource: name!, arnFormat: ArnFormat.NO_RESOURCE_NAME }, stack);
}

/**
 * `<stack name>-<construct path>-<hash>` (`.fifo` for FIFO topics): readable, within SNS's 256
 * characters, unique in the account and region (the hash covers the stack name and construct path).
 */
function generatedTopicName(topic: sns.CfnTopic, stack: Stack): string {
  const relative = topic.node.path.slice(stack.node.path.length + 1).replace(/[^A-Za-z0-9]/g, '');
  const hash = createHash('sha256').update([stack.stackName, topic.node.path].join('\n')).digest('hex').slice(0, 12);
  const fifo = stack.resolve(topic.fifoTopic) === true ? '.fifo' : '';
  return `${stack.stackName.slice(0, 64)}-${relative.slice(0, 64)}-${hash}${fifo}`;
}

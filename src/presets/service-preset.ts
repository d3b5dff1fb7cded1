import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ServiceVia } from './service-via';
import { PresetKeyFacts } from '../private/access-parts';
import { isOwnAccountRoot } from '../private/key-grants';
import { KeyPolicyContext } from '../private/key-policy-model';
import { checkPrincipal, isPrincipal } from '../private/names';
import {
  CLOUDTRAIL_ENCRYPT_ACTIONS,
  CLOUDTRAIL_READ_ACTIONS,
  SERVICE_PUBLISH_ACTIONS,
  SYMMETRIC_USE_ACTIONS,
  USER_GRANT_ACTIONS,
} from '../private/perms';
import { describeInput, InputProblems } from '../private/validation';

/**
 * Options of `ServicePreset.cloudWatchLogs()`.
 */
export interface CloudWatchLogsPresetOptions {
  /**
   * Names of the log groups, in the key's account and region, that CloudWatch Logs may encrypt with the
   * key (for example `/aws/lambda/orders`); `*` matches any characters (`/app/*`).
   *
   * Names, not `logs.ILogGroup`s: a log group encrypted with the key depends on the key, so the key
   * policy cannot reference the log group's attributes.
   */
  readonly logGroupNames: string[];
}

/**
 * Options of `ServicePreset.cloudTrail()`.
 */
export interface CloudTrailPresetOptions {
  /**
   * Names of the trails, in the key's account and with the key's region as home region, that may
   * encrypt their log files with the key.
   */
  readonly trailNames: string[];

  /**
   * Principals that may decrypt the log files of these trails (`kms:Decrypt`, `kms:ReEncryptFrom`,
   * only for CloudTrail's encryption context).
   *
   * @default - nobody; add readers later with another preset
   */
  readonly logReaders?: iam.IPrincipal[];
}

/**
 * Options of `ServicePreset.eventBridgeToSns()`.
 */
export interface EventBridgeToSnsPresetOptions {
  /** Names of the EventBridge rules, in the key's account and region, that publish to the topics; `*` matches any characters. */
  readonly ruleNames: string[];

  /**
   * The event bus of the rules.
   *
   * @default - the default event bus
   */
  readonly eventBusName?: string;

  /** Names of the encrypted SNS topics, in the key's account and region, that the rules publish to; `*` matches any characters. */
  readonly topicNames: string[];
}

/**
 * Options of `ServicePreset.eventBridgeToSqs()`.
 */
export interface EventBridgeToSqsPresetOptions {
  /** Names of the EventBridge rules, in the key's account and region, that send to the queues; `*` matches any characters. */
  readonly ruleNames: string[];

  /**
   * The event bus of the rules.
   *
   * @default - the default event bus
   */
  readonly eventBusName?: string;

  /** Names of the encrypted SQS queues, in the key's account and region, that the rules send to; `*` matches any characters. */
  readonly queueNames: string[];
}

/**
 * Options of `ServicePreset.snsToSqs()`.
 */
export interface SnsToSqsPresetOptions {
  /** Names of the SNS topics, in the key's account and region, that deliver to the queues; `*` matches any characters. */
  readonly topicNames: string[];

  /** Names of the encrypted SQS queues, in the key's account and region, that the topics deliver to; `*` matches any characters. */
  readonly queueNames: string[];
}

type Check = (facts: PresetKeyFacts) => string[];
type Render = (context: KeyPolicyContext, sid: string, facts: PresetKeyFacts) => iam.PolicyStatement[];

/**
 * A declaration of how an AWS service may use a key, rendered into the exact key policy statements AWS
 * documents for it, for the region of each key that carries it (a multi-Region primary and its replicas).
 *
 * Every statement for a service principal carries `aws:SourceArn` or `aws:SourceAccount` (confused
 * deputy protection) and an encryption-context condition that pins the resource the service acts for.
 */
export class ServicePreset {
  /**
   * Principals may use the key only through the given AWS service (`kms:ViaService
   * <service>.<region>.amazonaws.com`): the use actions of the key, and grants for AWS resources, which
   * services such as EBS and RDS create.
   */
  public static useVia(service: ServiceVia, principals: iam.IPrincipal[]): ServicePreset {
    const viaService = (stack: Stack) => `${service.serviceName}.${stack.region}.${stack.urlSuffix}`;
    return new ServicePreset(service.displayName, `UseVia${pascal(service.serviceName)}`, service.supportedKeySpecs,
      (facts) => checkPrincipals(facts.stack, `principals using the key through ${service.displayName}`, principals, true),
      ({ stack }, sid, facts) => [
        new iam.PolicyStatement({
          sid,
          principals,
          actions: facts.userActions,
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': viaService(stack) } },
        }),
        new iam.PolicyStatement({
          sid: `${sid}Grants`,
          principals,
          actions: [...USER_GRANT_ACTIONS],
          resources: ['*'],
          conditions: {
            StringEquals: { 'kms:ViaService': viaService(stack) },
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        }),
      ]);
  }

  /**
   * CloudWatch Logs (`logs.<region>.amazonaws.com`) may encrypt and decrypt the given log groups.
   *
   * The statement is the one AWS documents: the use actions of a symmetric key, held by `ArnLike
   * kms:EncryptionContext:aws:logs:arn` to the log groups' ARNs in the key's account and region. That
   * context is what pins the account and the log group; `aws:SourceAccount` is added with `IfExists`,
   * because CloudWatch Logs does not document sending it to KMS.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   */
  public static cloudWatchLogs(options: CloudWatchLogsPresetOptions): ServicePreset {
    options = presetOptions(options);
    return new ServicePreset('CloudWatch Logs', 'CloudWatchLogs', SYMMETRIC_ONLY,
      () => checkNames('logGroupNames', options.logGroupNames, LOG_GROUP_NAME, 'log group names of 1 to 512 characters of a-z A-Z 0-9 . - _ / # (and * as wildcard)'),
      ({ stack }, sid) => [new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
        actions: [...SYMMETRIC_USE_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': options.logGroupNames.map((n) => arnIn(stack, 'logs', `log-group:${n}`)) },
          StringEqualsIfExists: { 'aws:SourceAccount': stack.account },
        },
      })]);
  }

  /**
   * CloudTrail (`cloudtrail.amazonaws.com`) may encrypt the log files of the given trails, and the
   * given readers may decrypt them.
   *
   * The service gets `kms:GenerateDataKey*` with `StringEquals aws:SourceArn` = the trails' ARNs and
   * `StringLike kms:EncryptionContext:aws:cloudtrail:arn` = the trails, and `kms:DescribeKey` with the
   * same `aws:SourceArn`; readers get `kms:Decrypt` and `kms:ReEncryptFrom` with the same encryption context.
   *
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
   */
  public static cloudTrail(options: CloudTrailPresetOptions): ServicePreset {
    options = presetOptions(options);
    const readers = options.logReaders ?? [];
    return new ServicePreset('CloudTrail', 'CloudTrail', SYMMETRIC_ONLY,
      (facts) => [
        ...checkNames('trailNames', options.trailNames, TRAIL_NAME, 'trail names of 3 to 128 characters of a-z A-Z 0-9 . _ -, starting and ending with a letter or digit, without two of . _ - in a row, not an IP address'),
        ...(readers.length > 0 ? checkPrincipals(facts.stack, 'logReaders', readers, false) : []),
      ],
      ({ stack }, sid) => {
        const trailArns = options.trailNames.map((n) => arnIn(stack, 'cloudtrail', `trail/${n}`));
        // The encryption context names the trail by its ARN, with the trail's home region.
        const trailContexts = options.trailNames.map((n) => `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/${n}`);
        const statements = [
          new iam.PolicyStatement({
            sid: `${sid}Encrypt`,
            principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
            actions: [...CLOUDTRAIL_ENCRYPT_ACTIONS],
            resources: ['*'],
            conditions: {
              StringEquals: { 'aws:SourceArn': trailArns },
              StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailContexts },
            },
          }),
          new iam.PolicyStatement({
            sid: `${sid}DescribeKey`,
            principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
            actions: ['kms:DescribeKey'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceArn': trailArns } },
          }),
        ];
        if (readers.length > 0) {
          statements.push(new iam.PolicyStatement({
            sid: `${sid}LogReaders`,
            principals: readers,
            actions: [...CLOUDTRAIL_READ_ACTIONS],
            resources: ['*'],
            conditions: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailContexts } },
          }));
        }
        return statements;
      });
  }

  /**
   * EventBridge rules (`events.amazonaws.com`) may publish to SNS topics encrypted with the key:
   * `kms:GenerateDataKey` and `kms:Decrypt`, only for the given rules (`aws:SourceArn`, `aws:SourceAccount`)
   * and topics (`kms:EncryptionContext:aws:sns:topicArn`).
   *
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
   */
  public static eventBridgeToSns(options: EventBridgeToSnsPresetOptions): ServicePreset {
    options = presetOptions(options);
    return ServicePreset.publisher('EventBridge to SNS', 'EventBridgeToSns', 'events.amazonaws.com',
      { what: 'ruleNames', names: options.ruleNames, ...ruleArns(options.eventBusName) },
      { what: 'topicNames', names: options.topicNames, ...SNS_TOPICS });
  }

  /**
   * EventBridge rules (`events.amazonaws.com`) may send to SQS queues encrypted with the key:
   * `kms:GenerateDataKey` and `kms:Decrypt`, only for the given rules (`aws:SourceArn`, `aws:SourceAccount`)
   * and queues (`kms:EncryptionContext:aws:sqs:arn`).
   *
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
   */
  public static eventBridgeToSqs(options: EventBridgeToSqsPresetOptions): ServicePreset {
    options = presetOptions(options);
    return ServicePreset.publisher('EventBridge to SQS', 'EventBridgeToSqs', 'events.amazonaws.com',
      { what: 'ruleNames', names: options.ruleNames, ...ruleArns(options.eventBusName) },
      { what: 'queueNames', names: options.queueNames, ...SQS_QUEUES });
  }

  /**
   * SNS topics (`sns.amazonaws.com`) may deliver to SQS queues encrypted with the key:
   * `kms:GenerateDataKey` and `kms:Decrypt`, only for the given topics (`aws:SourceArn`, `aws:SourceAccount`)
   * and queues (`kms:EncryptionContext:aws:sqs:arn`).
   *
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
   */
  public static snsToSqs(options: SnsToSqsPresetOptions): ServicePreset {
    options = presetOptions(options);
    return ServicePreset.publisher('SNS to SQS', 'SnsToSqs', 'sns.amazonaws.com',
      { what: 'topicNames', names: options.topicNames, ...SNS_TOPICS },
      { what: 'queueNames', names: options.queueNames, ...SQS_QUEUES });
  }

  private static publisher(
    serviceName: string, sidBase: string, servicePrincipal: string,
    source: NamedResources, target: NamedResources & { readonly contextKey: string },
  ): ServicePreset {
    return new ServicePreset(serviceName, sidBase, SYMMETRIC_ONLY,
      () => [
        ...source.problems ?? [],
        ...checkNames(source.what, source.names, source.pattern, source.allowed),
        ...checkNames(target.what, target.names, target.pattern, target.allowed),
      ],
      ({ stack }, sid) => [new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions: [...SERVICE_PUBLISH_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:SourceArn': source.names.map((n) => source.arn(stack, n)) },
          StringEquals: { 'aws:SourceAccount': stack.account },
          StringLike: { [target.contextKey]: target.names.map((n) => target.arn(stack, n)) },
        },
      })]);
  }

  /** The key specs the service can use. */
  public readonly supportedKeySpecs: kms.KeySpec[];

  private constructor(
    /** The service, for messages. */
    public readonly serviceName: string,
    private readonly sidBase: string,
    supportedKeySpecs: kms.KeySpec[],
    private readonly check: Check,
    private readonly render: Render,
  ) {
    this.supportedKeySpecs = [...supportedKeySpecs];
  }

  /**
   * The problems of this preset on a key with the given facts.
   * @internal
   */
  public _problems(facts: PresetKeyFacts): string[] {
    const problems: string[] = [];
    if (!this.supportedKeySpecs.includes(facts.keySpec)) {
      problems.push(`${this.serviceName} can use only ${this.supportedKeySpecs.join(', ')} keys, got a ${facts.keySpec} key`);
    }
    return [...problems, ...this.check(facts).map((p) => `${this.serviceName}: ${p}`)];
  }

  /**
   * The base of the statement ids of this preset.
   * @internal
   */
  public get _sidBase(): string {
    return this.sidBase;
  }

  /**
   * The statements of this preset for the key rendered in the given context.
   * @internal
   */
  public _render(context: KeyPolicyContext, sid: string, facts: PresetKeyFacts): iam.PolicyStatement[] {
    return this.render(context, sid, facts);
  }
}

const SYMMETRIC_ONLY = [kms.KeySpec.SYMMETRIC_DEFAULT];

/** Names allow `*` as a wildcard on top of each resource type's own characters. */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9*]{1,512}$/;
/** CloudTrail: 3 to 128 characters, no adjacent `. _ -`, not an IP address (CloudTrail CreateTrail). */
const TRAIL_NAME = /^(?=.{3,128}$)(?!\d{1,3}(\.\d{1,3}){3}$)(?!.*[._-]{2})[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const RULE_NAME = /^[.\-_A-Za-z0-9*]{1,64}$/;
const EVENT_BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
/** SNS and SQS count the `.fifo` suffix in the name's length (256 and 80 characters). */
const TOPIC_NAME = /^(?=.{1,256}$)[A-Za-z0-9_\-*]+(\.fifo)?$/;
const QUEUE_NAME = /^(?=.{1,80}$)[A-Za-z0-9_\-*]+(\.fifo)?$/;

interface NamedResources {
  readonly what: string;
  readonly names: string[];
  readonly pattern: RegExp;
  readonly allowed: string;
  readonly arn: (stack: Stack, name: string) => string;
  readonly contextKey?: string;
  readonly problems?: string[];
}

const SNS_TOPICS = {
  pattern: TOPIC_NAME,
  allowed: 'topic names of 1 to 256 characters, .fifo included, of a-z A-Z 0-9 _ - (optionally ending in .fifo; * as wildcard)',
  arn: (stack: Stack, name: string) => arnIn(stack, 'sns', name),
  contextKey: 'kms:EncryptionContext:aws:sns:topicArn',
};

const SQS_QUEUES = {
  pattern: QUEUE_NAME,
  allowed: 'queue names of 1 to 80 characters, .fifo included, of a-z A-Z 0-9 _ - (optionally ending in .fifo; * as wildcard)',
  arn: (stack: Stack, name: string) => arnIn(stack, 'sqs', name),
  contextKey: 'kms:EncryptionContext:aws:sqs:arn',
};

function ruleArns(eventBusName: string | undefined) {
  const bus = eventBusName !== undefined && eventBusName !== 'default' ? `${eventBusName}/` : '';
  const badBus = eventBusName !== undefined && !Token.isUnresolved(eventBusName) && !EVENT_BUS_NAME.test(eventBusName);
  return {
    pattern: RULE_NAME,
    allowed: 'rule names of 1 to 64 characters of a-z A-Z 0-9 . - _ (* as wildcard)',
    arn: (stack: Stack, name: string) => arnIn(stack, 'events', `rule/${bus}${name}`),
    problems: badBus ? [`eventBusName must have 1 to 256 characters of a-z A-Z 0-9 / . - _, got '${eventBusName}'`] : [],
  };
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` of the stack that renders the key. */
function arnIn(stack: Stack, service: string, resource: string): string {
  return `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
}

/**
 * Untyped callers (plain JavaScript) may pass no options at all: the preset then reports each missing
 * list, with the key's path, when it is added to a key, instead of a TypeError from here.
 */
function presetOptions<T>(options: T): T {
  return options ?? ({} as T);
}

function checkNames(what: string, names: string[], pattern: RegExp, allowed: string): string[] {
  if (!Array.isArray(names)) {
    return [`${what} is required: give a list of one or more ${allowed}, got ${describeInput(names)}`];
  }
  if (names.length === 0) {
    return [`${what} is empty; allowed: one or more ${allowed}`];
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string') {
      problems.push(`${what} has ${describeInput(name)}; allowed: ${allowed}`);
      continue;
    }
    if (Token.isUnresolved(name)) {
      continue;
    }
    if (!pattern.test(name)) {
      problems.push(`${what} has '${name}'; allowed: ${allowed}`);
    }
    if (seen.has(name)) {
      problems.push(`${what} has '${name}' twice`);
    }
    seen.add(name);
  }
  return problems;
}

/** Principals of a preset are named IAM principals: never anyone, a service, or the key's own account root. */
function checkPrincipals(stack: Stack, what: string, principals: iam.IPrincipal[], required: boolean): string[] {
  if (!Array.isArray(principals)) {
    return [`${what} must be a list of IAM principals, got ${describeInput(principals)}`];
  }
  if (principals.length === 0) {
    return required ? [`${what} is empty; name at least one IAM principal`] : [];
  }
  const problems: string[] = [];
  for (const p of principals) {
    if (!isPrincipal(p)) {
      problems.push(`${what} must be IAM principals (iam.IPrincipal: a role, user or iam.ArnPrincipal), got ${describeInput(p)}`);
      continue;
    }
    const arns = new InputProblems('');
    checkPrincipal(arns, what, p);
    problems.push(...arns.messages);
    const json = p.policyFragment.principalJson;
    const shown = JSON.stringify(stack.resolve(json));
    if (json.AWS?.includes('*')) {
      problems.push(`${what} must be named IAM principals, got '*' (anyone)`);
    } else if (json.Service || json.Federated || json.CanonicalUser) {
      problems.push(`${what} must be IAM principals (roles, users, accounts), got ${shown}`);
    } else if (isOwnAccountRoot(stack, p)) {
      problems.push(`${what} must not be the key's own account root (${shown}): that would let every IAM principal of the account use the key`);
    }
  }
  return problems;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

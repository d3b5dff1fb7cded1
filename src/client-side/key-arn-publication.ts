import { Annotations, CfnOutput, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import type { CustomerManagedKey } from '../key/customer-managed-key';
import { checkExportName, checkMaxLength } from '../private/names';
import { SSM_PARAMETER_READ_ACTIONS } from '../private/perms';
import { checkPropsShape, describeInput, InputProblems, withPath } from '../private/validation';

/**
 * Properties of a `KeyArnPublication`.
 */
export interface KeyArnPublicationProps {
  /** The key whose ARN SDK clients of this stack's region use. */
  readonly key: kms.IKey;

  /**
   * The name of the SSM parameter that holds the key ARN: a path such as `/app/orders/kms-key-arn` of
   * `a-zA-Z0-9_.-` segments separated by `/`, at most 15 levels, whose first segment does not start
   * with `aws` or `ssm` (any case). The parameter's ARN has at most 1,011 characters.
   *
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
   */
  readonly parameterName: string;

  /**
   * The export name of the stack output that holds the key ARN, for `Fn::ImportValue` in other stacks
   * of the same account and region.
   *
   * @default - the output is not exported
   */
  readonly exportName?: string;

  /**
   * The description of the SSM parameter and the stack output.
   *
   * @default - "ARN of the KMS key for client-side encryption (AWS Encryption SDK, AWS Database Encryption SDK)"
   */
  readonly description?: string;

  /**
   * Roles of this account that read the parameter: `readPolicy` is attached to them (a managed policy,
   * not an inline one).
   *
   * @default - none
   */
  readonly readers?: iam.IRole[];
}

/**
 * Properties of `KeyArnPublication.forMultiRegionKey()`.
 */
export interface MultiRegionKeyArnPublicationProps {
  /** The multi-Region primary key. */
  readonly primary: kms.IKey;

  /**
   * The replicas of the primary, each in the stack of its own region (at most one per region, none in
   * the primary's region): any `kms.IKey`, such as the library's replica keys or `kms.Key.fromKeyArn()`.
   *
   * @default - none; only the primary's region is published
   */
  readonly replicas?: kms.IKey[];

  /**
   * The name of the SSM parameter in every region (see `KeyArnPublicationProps.parameterName`): the same
   * name everywhere, so that a client reads it in its own region and gets its own region's key ARN.
   */
  readonly parameterName: string;

  /**
   * The export name of the stack output in every region (exports are regional).
   *
   * @default - the outputs are not exported
   */
  readonly exportName?: string;

  /**
   * The description of the SSM parameters and the stack outputs.
   *
   * @default - "ARN of the KMS key for client-side encryption (AWS Encryption SDK, AWS Database Encryption SDK)"
   */
  readonly description?: string;
}

const DEFAULT_DESCRIPTION = 'ARN of the KMS key for client-side encryption (AWS Encryption SDK, AWS Database Encryption SDK)';
/** SSM counts the parameter's whole ARN against this. */
const MAX_PARAMETER_ARN_LENGTH = 1_011;
const MAX_HIERARCHY_LEVELS = 15;
/** SSM parameter descriptions and CloudFormation output descriptions have at most 1,024 characters. */
const MAX_DESCRIPTION = 1_024;
const SEGMENT_PATTERN = /^[a-zA-Z0-9_.-]+$/;
/** The longest values the parts of an ARN can take when they are not known at synth time. */
const LONGEST_PARTITION = 'aws-iso-b';
const LONGEST_REGION = 'ap-southeast-5'.length + 2;

/**
 * Publishes the ARN of a key where SDK clients read it: an SSM parameter and a stack output in the
 * stack (so the region) of this construct.
 *
 * Client-side encryption libraries (the AWS Encryption SDK, the AWS Database Encryption SDK for
 * DynamoDB) name their KMS keys by key ARN, and with multi-Region keys a client uses the key of its own
 * region: publish each region's key under the same parameter name with `forMultiRegionKey()`.
 */
export class KeyArnPublication extends Construct {
  /**
   * Publishes the ARN of a multi-Region key in the primary's stack and of each replica in its own stack,
   * under the same parameter name: one `KeyArnPublication` with the given id in each of those stacks.
   */
  public static forMultiRegionKey(id: string, props: MultiRegionKeyArnPublicationProps): KeyArnPublication[] {
    const shape = new InputProblems(`KeyArnPublication.forMultiRegionKey('${id}')`);
    if (!checkPropsShape(shape, props, {
      primary: 'the multi-Region primary kms.IKey',
      parameterName: "an SSM parameter name such as '/app/kms-key-arn'",
    }, ['replicas'])) {
      shape.throwIfAny();
    }
    const replicas = props.replicas ?? [];
    validateMultiRegion(props.primary, replicas);
    return [props.primary, ...replicas].map((key) => new KeyArnPublication(Stack.of(key), id, {
      key,
      parameterName: props.parameterName,
      exportName: props.exportName,
      description: props.description,
    }));
  }

  /** The SSM parameter that holds the key ARN. */
  public readonly parameter: ssm.StringParameter;

  /** The stack output that holds the key ARN. */
  public readonly output: CfnOutput;

  /** The name of the SSM parameter. */
  public readonly parameterName: string;

  /**
   * The identity policy that reads the parameter (`ssm:GetParameter`, `ssm:GetParameters` on it alone).
   * Attached to `readers`; attach it to other roles, users or groups of this account yourself.
   */
  public readonly readPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: KeyArnPublicationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const problems = new InputProblems(this.node.path);
    if (!checkPropsShape(problems, props, {
      key: 'the kms.IKey whose ARN is published',
      parameterName: "an SSM parameter name such as '/app/kms-key-arn'",
    }, ['readers'])) {
      problems.throwIfAny();
    }
    checkParameterName(problems, stack, props.parameterName);
    checkExportName(problems, 'exportName', props.exportName);
    checkMaxLength(problems, 'description', props.description, MAX_DESCRIPTION);
    for (const reader of props.readers ?? []) {
      if (Token.compareStrings(reader.env.account, stack.account) === TokenComparison.DIFFERENT) {
        problems.add(`readers must be roles of account ${stack.account} (a managed policy attaches only there), got ${reader.node.path} of account ${reader.env.account}; use grantRead() and a resource share instead`);
      }
    }
    problems.throwIfAny();

    if (Token.compareStrings(props.key.env.region, stack.region) === TokenComparison.DIFFERENT) {
      Annotations.of(this).addWarningV2(
        'cdk-kms-patterns:keyArnOfAnotherRegion',
        `publishes in region ${stack.region} the ARN of a key in region ${props.key.env.region}: clients here would call KMS in ` +
        `${props.key.env.region}; for a multi-Region key publish the replica of this region (KeyArnPublication.forMultiRegionKey)`,
      );
    }

    const description = props.description ?? DEFAULT_DESCRIPTION;
    this.parameterName = props.parameterName;
    // Checked above; aws-cdk-lib's own checks of what it is given still name this construct.
    this.parameter = withPath(this.node.path, () => new ssm.StringParameter(this, 'Parameter', {
      parameterName: props.parameterName,
      stringValue: props.key.keyArn,
      description,
    }));
    this.output = withPath(this.node.path, () => new CfnOutput(this, 'KeyArn', {
      value: props.key.keyArn,
      description,
      exportName: props.exportName,
    }));
    this.readPolicy = new iam.ManagedPolicy(this, 'ReadPolicy', {
      description: `Read the KMS key ARN published in ${props.parameterName}`,
      statements: [new iam.PolicyStatement({
        actions: [...SSM_PARAMETER_READ_ACTIONS],
        resources: [this.parameter.parameterArn],
      })],
      roles: props.readers,
    });
  }

  /**
   * Lets a principal read the key ARN from the SSM parameter, through its own (inline) policy. For roles
   * of this account, `readers` or `readPolicy` keep the permission in a managed policy.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.parameter.grantRead(grantee);
  }
}

/** Records the problems of an SSM parameter name for a parameter of the given stack. */
function checkParameterName(problems: InputProblems, stack: Stack, name: string): void {
  if (typeof name !== 'string') {
    problems.add(`parameterName is required: give an SSM parameter name such as '/app/kms-key-arn', got ${describeInput(name)}`);
    return;
  }
  if (Token.isUnresolved(name)) {
    return;
  }
  const allowed = "a name of a-zA-Z0-9_.- (such as 'app-kms-key-arn'), or a path of such segments each after a / (such as '/app/kms-key-arn')";
  if (name.includes('/') && (!name.startsWith('/') || name.endsWith('/'))) {
    problems.add(`parameterName must be ${allowed}: a name with a hierarchy starts with / and does not end with one, got '${name}'`);
    return;
  }
  const segments = name.startsWith('/') ? name.slice(1).split('/') : [name];
  const bad = segments.filter((s) => !SEGMENT_PATTERN.test(s));
  if (bad.length > 0) {
    problems.add(`parameterName must be ${allowed}; segments ${bad.map((s) => `'${s}'`).join(', ')} are empty or hold other characters, got '${name}'`);
  }
  if (segments.length > MAX_HIERARCHY_LEVELS) {
    problems.add(`parameterName has at most ${MAX_HIERARCHY_LEVELS} levels, got ${segments.length} in '${name}'`);
  }
  if (/^(aws|ssm)/i.test(segments[0])) {
    problems.add(`parameterName must not start with 'aws' or 'ssm' in any case (reserved by AWS), got '${name}'`);
  }
  const knownRegion = !Token.isUnresolved(stack.region);
  const partition = !Token.isUnresolved(stack.partition) ? stack.partition
    : (knownRegion ? RegionInfo.get(stack.region).partition : undefined) ?? LONGEST_PARTITION;
  const region = knownRegion ? stack.region.length : LONGEST_REGION;
  const prefix = 'arn::ssm:::parameter'.length + partition.length + region + 12;
  if (prefix + name.length > MAX_PARAMETER_ARN_LENGTH) {
    problems.add(
      `parameterName may have at most ${MAX_PARAMETER_ARN_LENGTH - prefix} characters here (the parameter ARN has at most ` +
      `${MAX_PARAMETER_ARN_LENGTH}), got ${name.length}`,
    );
  }
}

function validateMultiRegion(primary: kms.IKey, replicas: kms.IKey[]): void {
  const primaryStack = Stack.of(primary);
  const problems = new InputProblems(primary.node.path);
  const cmk = asCustomerManagedKey(primary);
  if (cmk !== undefined && !cmk.multiRegion && replicas.length > 0) {
    problems.add('KeyArnPublication.forMultiRegionKey: the primary is not a multi-Region key (multiRegion: true), so it has no replicas');
  }
  const regions = [primaryStack.region];
  for (const replica of replicas) {
    const stack = Stack.of(replica);
    if (stack === primaryStack) {
      problems.add(`KeyArnPublication.forMultiRegionKey: the replica ${replica.node.path} is in the primary's stack; each replica lives in the stack of its own region`);
      continue;
    }
    const same = regions.findIndex((r) => Token.compareStrings(r, stack.region) === TokenComparison.SAME);
    if (same >= 0 && !Token.isUnresolved(stack.region)) {
      problems.add(
        `KeyArnPublication.forMultiRegionKey: region ${stack.region} of the replica ${replica.node.path} already has ` +
        `${same === 0 ? 'the primary' : 'another replica'}; a region holds one key of a multi-Region key`,
      );
    }
    regions.push(stack.region);
  }
  problems.throwIfAny();
}

function asCustomerManagedKey(key: kms.IKey): CustomerManagedKey | undefined {
  return Symbol.for('cdk-kms-patterns.CustomerManagedKey') in key ? key as CustomerManagedKey : undefined;
}

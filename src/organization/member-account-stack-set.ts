import { Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { MemberAccountStack } from './member-account-stack';
import { checkAccountIds, checkOrganizationalUnitOrRootId, childPath, concreteAccount } from '../private/sharing-ids';
import { InputProblems } from '../private/validation';

/**
 * The largest template CloudFormation takes inline (`TemplateBody`), in bytes.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
const TEMPLATE_BODY_MAX_BYTES = 51_200;
const STACK_SET_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,127}$/;

/** Who creates the StackSet: the management account itself, or a delegated administrator of StackSets. */
export enum StackSetCaller {
  /** The management account of the organization (`CallAs SELF`). */
  SELF = 'SELF',
  /** A member account registered as delegated administrator for StackSets (`CallAs DELEGATED_ADMIN`). */
  DELEGATED_ADMIN = 'DELEGATED_ADMIN',
}

/** How the failure tolerance limits concurrency. */
export enum StackSetConcurrencyMode {
  /** At most `failureTolerance + 1` accounts at a time, lowered as failures occur (CloudFormation's default). */
  STRICT_FAILURE_TOLERANCE = 'STRICT_FAILURE_TOLERANCE',
  /** The concurrency set, whatever the failures, until the failure tolerance is passed. */
  SOFT_FAILURE_TOLERANCE = 'SOFT_FAILURE_TOLERANCE',
}

/** Whether the regions are deployed one after the other or together. */
export enum RegionConcurrency {
  /** One region at a time, in the order given. */
  SEQUENTIAL = 'SEQUENTIAL',
  /** Every region at once. */
  PARALLEL = 'PARALLEL',
}

/**
 * Properties of a {@link MemberAccountStackSet}.
 */
export interface MemberAccountStackSetProps {
  /** The stack to deploy to every member account of the units, built with the library's constructs. */
  readonly stack: MemberAccountStack;

  /**
   * The organizational units (`ou-...`) whose accounts get the stack, or the root (`r-...`) for every
   * account of the organization; accounts that join them later get it too (automatic deployment). The
   * management account is never a target of a service-managed StackSet.
   */
  readonly organizationalUnitIds: string[];

  /** The regions to deploy to, in the order of deployment. */
  readonly regions: string[];

  /**
   * Only these accounts of the units (`AccountFilterType INTERSECTION`).
   *
   * @default - every account of the units
   */
  readonly accountIds?: string[];

  /**
   * The name of the StackSet (a letter, then up to 127 letters, digits or hyphens).
   *
   * @default - a name made from the construct path
   */
  readonly stackSetName?: string;

  /**
   * The description of the StackSet.
   *
   * @default - the description of `stack`
   */
  readonly description?: string;

  /**
   * Whether this stack is deployed in the management account or in a delegated administrator account.
   *
   * @default StackSetCaller.SELF
   */
  readonly callAs?: StackSetCaller;

  /**
   * The management account of the organization, which cannot be a target.
   *
   * @default - this stack's account when `callAs` is SELF, otherwise unknown
   */
  readonly managementAccountId?: string;

  /**
   * How many accounts may fail per region before CloudFormation stops the operation there. Give this or
   * `failureTolerancePercentage`.
   *
   * @default 0
   */
  readonly failureToleranceCount?: number;

  /**
   * The share of accounts (0 to 100) that may fail per region before CloudFormation stops.
   *
   * @default - `failureToleranceCount`
   */
  readonly failureTolerancePercentage?: number;

  /**
   * How many accounts are deployed at a time. Give this or `maxConcurrentPercentage`. With
   * `STRICT_FAILURE_TOLERANCE`, at most `failureToleranceCount + 1`.
   *
   * @default 1
   */
  readonly maxConcurrentCount?: number;

  /**
   * The share of accounts (1 to 100) deployed at a time.
   *
   * @default - `maxConcurrentCount`
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * How failures limit concurrency.
   *
   * @default StackSetConcurrencyMode.STRICT_FAILURE_TOLERANCE
   */
  readonly concurrencyMode?: StackSetConcurrencyMode;

  /**
   * Whether regions are deployed one after the other (in the order of `regions`) or together.
   *
   * @default RegionConcurrency.SEQUENTIAL
   */
  readonly regionConcurrency?: RegionConcurrency;

  /**
   * Whether an account that leaves the units keeps its stack (and so its access to the key).
   *
   * @default false - the stack is deleted, and the access goes with it
   */
  readonly retainStacksOnAccountRemoval?: boolean;
}

/**
 * A service-managed CloudFormation StackSet with automatic deployment that puts a
 * {@link MemberAccountStack} (for example the target side of a shared key, `EbsSharedKeyAccess`) in every
 * account of organizational units, in given regions, including accounts that join later. Deploy it in the
 * management account or a StackSets delegated administrator account, with trusted access for StackSets
 * enabled in AWS Organizations.
 *
 * The template travels inline (`TemplateBody`, checked at synth against the 51,200-byte limit), so
 * member accounts need no CDK bootstrap; its size and the number of resources do not depend on the number
 * of accounts.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html
 */
export class MemberAccountStackSet extends Construct {
  /** The StackSet. */
  public readonly stackSet: cloudformation.CfnStackSet;

  /** The id of the StackSet. */
  public readonly stackSetId: string;

  constructor(scope: Construct, id: string, props: MemberAccountStackSetProps) {
    super(scope, id);
    const path = childPath(scope, id);
    const problems = new InputProblems(path);
    const stack = Stack.of(this);
    const units = props.organizationalUnitIds;
    if (units.length === 0) {
      problems.add('organizationalUnitIds: give at least one organizational unit (ou-...) or the root (r-...)');
    }
    units.forEach((u, i) => {
      checkOrganizationalUnitOrRootId(problems, 'organizationalUnitIds', u);
      if (units.indexOf(u) !== i) problems.add(`organizationalUnitIds: '${u}' is given twice`);
    });
    checkRegions(problems, props.regions);
    const callAs = props.callAs ?? StackSetCaller.SELF;
    const management = props.managementAccountId ?? (callAs === StackSetCaller.SELF ? concreteAccount(stack) : undefined);
    const accounts = props.accountIds ?? [];
    if (props.accountIds !== undefined && accounts.length === 0) {
      problems.add('accountIds: an empty list would deploy to no account; leave it out for every account of the units');
    }
    checkAccountIds(problems, 'accountIds', accounts, undefined);
    if (management !== undefined && accounts.includes(management)) {
      problems.add(`accountIds: '${management}' is the management account, which a service-managed StackSet never deploys to; ` +
        'give member accounts only (deploy the stack to the management account as an ordinary stack if it needs it)');
    }
    if (props.stackSetName !== undefined && !Token.isUnresolved(props.stackSetName) && !STACK_SET_NAME.test(props.stackSetName)) {
      problems.add(`stackSetName is a letter followed by up to 127 letters, digits or hyphens, got '${props.stackSetName}'`);
    }
    if (!(props.stack instanceof MemberAccountStack)) {
      problems.add('stack: give a MemberAccountStack (an ordinary Stack would be deployed by cdk deploy and needs a bootstrapped account)');
    }
    const preferences = operationPreferences(problems, props);
    problems.throwIfAny();

    const memberStack = props.stack;
    let rendered: string | undefined;
    const template = (): string => {
      rendered = rendered ?? JSON.stringify(memberStack._renderTemplate());
      return rendered;
    };
    this.stackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName: props.stackSetName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' }).replace(/[^A-Za-z0-9-]/g, ''),
      description: props.description ?? memberStack.templateOptions.description,
      permissionModel: 'SERVICE_MANAGED',
      callAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval ?? false },
      managedExecution: { Active: true },
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      operationPreferences: preferences,
      stackInstancesGroup: [{
        regions: [...props.regions],
        deploymentTargets: {
          organizationalUnitIds: [...units],
          ...(accounts.length > 0 ? { accounts: [...accounts], accountFilterType: 'INTERSECTION' } : {}),
        },
      }],
      templateBody: Lazy.string({ produce: template }),
    });
    this.stackSetId = this.stackSet.attrStackSetId;
    this.node.addValidation({
      validate: () => {
        const body = template();
        const errors: string[] = [];
        const bytes = Buffer.byteLength(body, 'utf8');
        if (bytes > TEMPLATE_BODY_MAX_BYTES) {
          errors.push(`the template of ${memberStack.node.path} has ${bytes} bytes, over the ${TEMPLATE_BODY_MAX_BYTES} bytes CloudFormation takes ` +
            'inline (TemplateBody); split its constructs over two MemberAccountStacks and StackSets');
        }
        const foreign = foreignReferences(JSON.parse(body));
        if (foreign.length > 0) {
          errors.push(`${memberStack.node.path} references resources of other stacks (${foreign.join(', ')}), ` +
            'which do not exist in member accounts; ' +
            'give such values as plain strings (for example the shared key ARN)');
        }
        return errors;
      },
    });
  }
}

function checkRegions(problems: InputProblems, regions: string[]): void {
  if (regions.length === 0) {
    problems.add('regions: give at least one region');
  }
  const known = RegionInfo.regions.map((r) => r.name);
  regions.forEach((region, i) => {
    if (Token.isUnresolved(region)) {
      problems.add('regions: a region must be known at synth time (it is the order of deployment), got a deploy-time value');
    } else if (!known.includes(region)) {
      problems.add(`regions: '${region}' is not an AWS region known to aws-cdk-lib (for example ${['us-east-1', 'eu-west-1', 'ap-southeast-2'].join(', ')})`);
    }
    if (regions.indexOf(region) !== i) {
      problems.add(`regions: '${region}' is given twice`);
    }
  });
}

function operationPreferences(problems: InputProblems, props: MemberAccountStackSetProps): cloudformation.CfnStackSet.OperationPreferencesProperty {
  const both = (a: number | undefined, b: number | undefined, names: string) => {
    if (a !== undefined && b !== undefined) problems.add(`give one of ${names}, got both`);
  };
  both(props.failureToleranceCount, props.failureTolerancePercentage, 'failureToleranceCount and failureTolerancePercentage');
  both(props.maxConcurrentCount, props.maxConcurrentPercentage, 'maxConcurrentCount and maxConcurrentPercentage');
  const within = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
      problems.add(`${name} is a whole number from ${min} to ${max}, got ${value}`);
    }
  };
  within('failureToleranceCount', props.failureToleranceCount, 0, 1_000_000);
  within('failureTolerancePercentage', props.failureTolerancePercentage, 0, 100);
  within('maxConcurrentCount', props.maxConcurrentCount, 1, 1_000_000);
  within('maxConcurrentPercentage', props.maxConcurrentPercentage, 1, 100);
  const mode = props.concurrencyMode ?? StackSetConcurrencyMode.STRICT_FAILURE_TOLERANCE;
  const tolerance = props.failureTolerancePercentage === undefined ? props.failureToleranceCount ?? 0 : undefined;
  const concurrent = props.maxConcurrentPercentage === undefined ? props.maxConcurrentCount ?? 1 : undefined;
  const strict = mode === StackSetConcurrencyMode.STRICT_FAILURE_TOLERANCE;
  if (strict && tolerance !== undefined && concurrent !== undefined && concurrent > tolerance + 1) {
    problems.add(`maxConcurrentCount ${concurrent} is over failureToleranceCount + 1 (${tolerance + 1}), which STRICT_FAILURE_TOLERANCE does not allow; ` +
      'raise failureToleranceCount or use StackSetConcurrencyMode.SOFT_FAILURE_TOLERANCE');
  }
  return {
    ...(tolerance !== undefined ? { failureToleranceCount: tolerance } : { failureTolerancePercentage: props.failureTolerancePercentage }),
    ...(concurrent !== undefined ? { maxConcurrentCount: concurrent } : { maxConcurrentPercentage: props.maxConcurrentPercentage }),
    concurrencyMode: mode,
    regionConcurrencyType: props.regionConcurrency ?? RegionConcurrency.SEQUENTIAL,
    regionOrder: [...props.regions],
  };
}

/**
 * References of a template to what it does not hold: `Fn::ImportValue`, and `Ref` or `Fn::GetAtt` of logical
 * ids that are neither its resources, parameters nor pseudo parameters (a token of another stack that the
 * StackSet's template would carry as is).
 */
function foreignReferences(template: any): string[] {
  const own = new Set([...Object.keys(template.Resources ?? {}), ...Object.keys(template.Parameters ?? {})]);
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (value === null || typeof value !== 'object') {
      return;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'Fn::ImportValue') {
        found.add(`Fn::ImportValue ${JSON.stringify(v)}`);
      } else if (k === 'Ref' && typeof v === 'string' && !v.startsWith('AWS::') && !own.has(v)) {
        found.add(`Ref ${v}`);
      } else if (k === 'Fn::GetAtt') {
        const target = Array.isArray(v) ? v[0] : String(v).split('.')[0];
        if (typeof target === 'string' && !own.has(target)) {
          found.add(`Fn::GetAtt ${target}`);
        }
      }
      visit(v);
    }
  };
  visit(template);
  return [...found];
}

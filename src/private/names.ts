import { Annotations, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Fact, RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { describeInput, InputProblems } from './validation';

/**
 * AWS's published naming rules for the names and ids the library takes, each as a check that records
 * one problem naming the value received and what is allowed. Tokens are skipped: CloudFormation
 * resolves them, and the value is used as given.
 */

/** The partitions of AWS. */
export const PARTITIONS: readonly string[] = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];

const ACCOUNT_ID = /^\d{12}$/;
/** Region names as AWS writes them: `us-east-1`, `us-gov-west-1`, `us-isob-east-1`, `eusc-de-east-1`. */
const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** IAM role and user names (64), group and managed policy names (128): `\w+=,.@-`. */
const IAM_NAME_CHARS = /^[\w+=,.@-]+$/;
/** IAM paths: `/`, or `/` segments of printable ASCII ending with `/`, at most 512 characters. */
const IAM_PATH = /^\/([\x21-\x7E]*\/)?$/;
/** `arn:<partition>:iam::<account>:root|role/<path>name|user/<path>name`, or an STS assumed-role session. */
const IAM_PRINCIPAL_ARN = /^arn:([a-z-]+):(iam|sts)::([^:]*):(.+)$/;
const IAM_PRINCIPAL_RESOURCE = /^(root|(role|user)\/([\x21-\x7E]*\/)?[\w+=,.@-]{1,64}|assumed-role\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{2,64}|federated-user\/[\w+=,.@-]{2,32})$/;
/** CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128 characters. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
/** CloudFormation export names: letters, digits, colons and hyphens, at most 255 characters. */
const EXPORT_NAME = /^[A-Za-z0-9:-]{1,255}$/;

/** Checks a 12-digit AWS account id. */
export function checkAccountId(problems: InputProblems, what: string, accountId: string): void {
  if (typeof accountId === 'string' && Token.isUnresolved(accountId)) {
    return;
  }
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
    problems.add(`${what} must be an AWS account id of exactly 12 digits, got ${describeInput(accountId)}`);
  }
}

/** Checks a partition name against the partitions of AWS. */
export function checkPartition(problems: InputProblems, what: string, partition: string): boolean {
  if (Token.isUnresolved(partition) || PARTITIONS.includes(partition)) {
    return true;
  }
  problems.add(`${what} must be a partition of AWS (${PARTITIONS.join(', ')}), got ${describeInput(partition)}`);
  return false;
}

/** Whether aws-cdk-lib's region facts know the region. */
export function isKnownRegion(region: string): boolean {
  return Fact.regions.includes(region);
}

/** The partition of a region known to aws-cdk-lib's region facts. */
export function partitionOf(region: string): string | undefined {
  return Token.isUnresolved(region) || !isKnownRegion(region) ? undefined : RegionInfo.get(region).partition;
}

/**
 * Checks a region name. A malformed name is a problem; a well-formed name that aws-cdk-lib's region facts
 * do not know is a problem when `mustBeKnown` (a resource would be created there), else a warning on
 * `scope` (a region newer than this aws-cdk-lib). Returns whether the region is known.
 */
export function checkRegion(problems: InputProblems, scope: IConstruct, what: string, region: string, mustBeKnown: boolean): boolean {
  if (typeof region === 'string' && Token.isUnresolved(region)) {
    return false;
  }
  if (typeof region !== 'string' || !REGION_NAME.test(region)) {
    problems.add(`${what} must be an AWS region name such as 'eu-west-1', got ${describeInput(region)}`);
    return false;
  }
  if (isKnownRegion(region)) {
    return true;
  }
  const message = `${what} ${describeInput(region)} is not a region known to aws-cdk-lib's region facts (known: ${Fact.regions.join(', ')})`;
  if (mustBeKnown) {
    problems.add(`${message}; upgrade aws-cdk-lib if the region is newer than it`);
  } else {
    Annotations.of(scope).addWarningV2('cdk-kms-patterns:unknownRegion', `${message}; check the name, or upgrade aws-cdk-lib if the region is newer`);
  }
  return false;
}

/** Warns when the stack's concrete region is unknown to aws-cdk-lib's region facts. */
export function warnUnknownStackRegion(scope: IConstruct): void {
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && REGION_NAME.test(region) && !isKnownRegion(region)) {
    Annotations.of(scope).addWarningV2(
      'cdk-kms-patterns:unknownRegion',
      `the stack's region '${region}' is not a region known to aws-cdk-lib's region facts (known: ${Fact.regions.join(', ')}); ` +
      'check the name, or upgrade aws-cdk-lib if the region is newer',
    );
  }
}

/** Kinds of IAM names and their length limits. */
export type IamNameKind = 'role name' | 'user name' | 'group name' | 'managed policy name';
const IAM_NAME_MAX: Record<IamNameKind, number> = {
  'role name': 64,
  'user name': 64,
  'group name': 128,
  'managed policy name': 128,
};

/** Checks an IAM role, user, group or managed policy name. */
export function checkIamName(problems: InputProblems, what: string, kind: IamNameKind, name: string | undefined): void {
  if (name === undefined || (typeof name === 'string' && Token.isUnresolved(name))) {
    return;
  }
  const max = IAM_NAME_MAX[kind];
  if (typeof name !== 'string' || name.length < 1 || name.length > max || !IAM_NAME_CHARS.test(name)) {
    problems.add(`${what} must be an IAM ${kind} of 1 to ${max} characters of a-z A-Z 0-9 _ + = , . @ - (no spaces), got ${describeInput(name)}`);
  }
}

/** Checks an IAM path (`/` or `/division/team/`). */
export function checkIamPath(problems: InputProblems, what: string, path: string | undefined): void {
  if (path === undefined || Token.isUnresolved(path)) {
    return;
  }
  if (path.length > 512 || !IAM_PATH.test(path)) {
    problems.add(`${what} must be an IAM path: '/' or segments of printable ASCII between slashes such as '/team/', at most 512 characters, got ${describeInput(path)}`);
  }
}

/** The parts of an IAM principal ARN. */
export interface PrincipalArnParts {
  readonly partition: string;
  readonly account: string;
}

/**
 * Checks the ARN of an IAM principal (account root, role, user, assumed-role session) and returns its
 * partition and account, or undefined with a problem recorded.
 */
export function checkPrincipalArn(problems: InputProblems, what: string, arn: string): PrincipalArnParts | undefined {
  if (Token.isUnresolved(arn)) {
    return undefined;
  }
  const allowed = "the ARN of an IAM role, user or account root of a 12-digit account, like 'arn:aws:iam::222222222222:role/name' " +
    '(role and user names of 1 to 64 characters of a-z A-Z 0-9 _ + = , . @ -)';
  const match = IAM_PRINCIPAL_ARN.exec(arn);
  if (!match) {
    problems.add(`${what} must be ${allowed}, got ${describeInput(arn)}`);
    return undefined;
  }
  const [, partition, , account, resource] = match;
  let ok = true;
  if (!PARTITIONS.includes(partition)) {
    problems.add(`${what}: the partition of ${describeInput(arn)} must be one of ${PARTITIONS.join(', ')}, got '${partition}'`);
    ok = false;
  }
  if (!ACCOUNT_ID.test(account)) {
    problems.add(`${what}: the account of ${describeInput(arn)} must have exactly 12 digits, got '${account}'`);
    ok = false;
  }
  if (!IAM_PRINCIPAL_RESOURCE.test(resource)) {
    problems.add(`${what} must be ${allowed}, got ${describeInput(arn)}`);
    ok = false;
  }
  return ok ? { partition, account } : undefined;
}

/**
 * Checks the literal values of an IAM principal: account ids and ARNs in its `AWS` entries. Tokens
 * (roles of this app) are left to CloudFormation. Returns the literal accounts found.
 */
export function checkPrincipal(problems: InputProblems, what: string, principal: iam.IPrincipal): string[] {
  const values = principal.policyFragment.principalJson.AWS ?? [];
  const accounts: string[] = [];
  // iam.AccountPrincipal renders its account inside a partition token: check the id it was given.
  const accountId = (principal as { accountId?: unknown }).accountId;
  if (typeof accountId === 'string' && !Token.isUnresolved(accountId)) {
    checkAccountId(problems, `${what}: the account of an account principal`, accountId);
  }
  for (const value of values) {
    if (typeof value !== 'string' || Token.isUnresolved(value) || value === '*') {
      continue;
    }
    if (value.startsWith('arn:')) {
      const parts = checkPrincipalArn(problems, what, value);
      if (parts) {
        accounts.push(parts.account);
      }
    } else if (!ACCOUNT_ID.test(value)) {
      problems.add(`${what} must name an account by its 12-digit id, got ${describeInput(value)}`);
    } else {
      accounts.push(value);
    }
  }
  return accounts;
}

/** Checks a CloudFormation stack name (for stacks the library creates). */
export function checkStackName(problems: InputProblems, what: string, name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.length > 128 || !STACK_NAME.test(name)) {
    problems.add(`${what} must make a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128 characters), got ${describeInput(name)}`);
  }
}

/** Checks a CloudFormation export name. */
export function checkExportName(problems: InputProblems, what: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (!EXPORT_NAME.test(name)) {
    problems.add(`${what} must have 1 to 255 characters of a-z A-Z 0-9 : - (a CloudFormation export name), got ${describeInput(name)}`);
  }
}

/** Checks a free text against a maximum length (descriptions). */
export function checkMaxLength(problems: InputProblems, what: string, text: string | undefined, max: number): void {
  if (text === undefined || (typeof text === 'string' && Token.isUnresolved(text))) {
    return;
  }
  if (typeof text !== 'string') {
    problems.add(`${what} must be a string of at most ${max} characters, got ${describeInput(text)}`);
  } else if (text.length > max) {
    problems.add(`${what} must have at most ${max} characters, got ${text.length}: '${text.slice(0, 40)}...'`);
  }
}

/** Whether a value is an IAM principal (untyped callers can pass anything, an ARN string for example). */
export function isPrincipal(x: unknown): x is iam.IPrincipal {
  return typeof x === 'object' && x !== null && typeof (x as iam.IPrincipal).policyFragment === 'object';
}

/** An IAM identity as far as its account goes. */
interface AccountBound {
  readonly env?: { readonly account: string };
  readonly node?: { readonly path: string };
  readonly roleArn?: string;
  readonly userArn?: string;
  readonly groupArn?: string;
}

/** The account of an identity: from its ARN when literal (imported users keep their stack's env), else its env. */
function accountOf(identity: AccountBound): string | undefined {
  const arn = identity?.roleArn ?? identity?.userArn ?? identity?.groupArn;
  const match = typeof arn === 'string' && !Token.isUnresolved(arn) ? /^arn:[^:]+:iam::(\d{12}):/.exec(arn) : null;
  return match ? match[1] : identity?.env?.account;
}

/**
 * Checks that the roles, users and groups a managed policy attaches to are of the policy's stack's
 * account: a managed policy exists in one account and attaches only there.
 */
export function checkIdentitiesOfAccount(problems: InputProblems, stack: Stack, lists: { [what: string]: AccountBound[] | undefined }): void {
  for (const [what, list] of Object.entries(lists)) {
    for (const identity of list ?? []) {
      const other = accountOf(identity);
      if (other !== undefined && Token.compareStrings(other, stack.account) === TokenComparison.DIFFERENT) {
        problems.add(
          `${what} must be of this stack's account ${stack.account} (a managed policy attaches only in its own account), ` +
          `got ${identity.node?.path ?? describeInput(identity)} of account ${other}; create the policy in a stack of that account`,
        );
      }
    }
  }
}

import { Stack, Token } from 'aws-cdk-lib';
import { InputProblems } from './validation';

/** The kinds of sharing targets. */
export enum SharingTargetKind {
  ACCOUNTS = 'ACCOUNTS',
  PRINCIPALS = 'PRINCIPALS',
  ORGANIZATION = 'ORGANIZATION',
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ORGANIZATION_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const OU_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(root|role\/.+|user\/.+|assumed-role\/.+)$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(alias\/.+)$/;
const SNAPSHOT_ID = /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/;
const IMAGE_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Checks a list of account ids: 12 digits, none twice, none the given own account. Tokens are skipped. */
export function checkAccountIds(problems: InputProblems, what: string, accountIds: string[], ownAccount: string | undefined): void {
  const seen = new Set<string>();
  for (const id of accountIds) {
    if (Token.isUnresolved(id)) {
      continue;
    }
    if (!ACCOUNT_ID.test(id)) {
      problems.add(`${what}: an account id has exactly 12 digits, got '${id}'`);
    } else if (ownAccount !== undefined && id === ownAccount) {
      problems.add(`${what}: '${id}' is the key's own account; share with other accounts only (the key policy already decides what its own account may do)`);
    }
    if (seen.has(id)) {
      problems.add(`${what}: account '${id}' is given twice`);
    }
    seen.add(id);
  }
}

/** Checks an AWS Organizations id: `o-` and 10 to 32 lowercase letters or digits. */
export function checkOrganizationId(problems: InputProblems, what: string, organizationId: string): void {
  if (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId)) {
    problems.add(`${what}: an organization id is 'o-' followed by 10 to 32 lowercase letters or digits, got '${organizationId}'`);
  }
}

/** Checks an organization ARN or an organizational unit ARN. */
export function checkOrganizationArn(problems: InputProblems, what: string, arn: string, unit: boolean): void {
  if (Token.isUnresolved(arn)) {
    return;
  }
  if (unit && !OU_ARN.test(arn)) {
    problems.add(`${what}: an organizational unit ARN looks like 'arn:aws:organizations::111122223333:ou/o-exampleorgid/ou-ab12-cdefgh34', got '${arn}'`);
  } else if (!unit && !ORGANIZATION_ARN.test(arn)) {
    problems.add(`${what}: an organization ARN looks like 'arn:aws:organizations::111122223333:organization/o-exampleorgid', got '${arn}'`);
  }
}

/** The account of an IAM principal ARN, or undefined (with a problem recorded) when the ARN is malformed. */
export function principalArnAccount(problems: InputProblems, what: string, arn: string): string | undefined {
  if (Token.isUnresolved(arn)) {
    return undefined;
  }
  const match = PRINCIPAL_ARN.exec(arn);
  if (!match) {
    problems.add(`${what}: a principal is the ARN of an IAM role, user or account root, like 'arn:aws:iam::222222222222:role/name', got '${arn}'`);
    return undefined;
  }
  return match[2];
}

/** The parts of a KMS key ARN. */
export interface KeyArnParts {
  readonly region: string;
  readonly account: string;
}

/**
 * Checks that a string is the ARN of a customer managed key and returns its region and account.
 * Alias ARNs are refused (grants and key policies need the key), `alias/aws/*` with the AWS managed key reason.
 */
export function checkKeyArn(problems: InputProblems, what: string, arn: string): KeyArnParts | undefined {
  if (Token.isUnresolved(arn)) {
    return undefined;
  }
  const key = KEY_ARN.exec(arn);
  if (key) {
    return { region: key[1], account: key[2] };
  }
  const alias = ALIAS_ARN.exec(arn);
  if (alias && alias[1].startsWith('alias/aws/')) {
    problems.add(`${what}: '${arn}' is an AWS managed key, which cannot be shared with other accounts; encrypt with a customer managed key (CustomerManagedKey) instead`);
  } else if (alias) {
    problems.add(`${what}: an alias ARN does not name a key across accounts; give the key ARN (arn:aws:kms:<region>:<account>:key/<key id>), got '${arn}'`);
  } else if (arn.startsWith('alias/aws/')) {
    problems.add(`${what}: '${arn}' is an AWS managed key, which cannot be shared with other accounts; encrypt with a customer managed key (CustomerManagedKey) instead`);
  } else {
    problems.add(`${what}: a key ARN looks like 'arn:aws:kms:<region>:<12-digit account>:key/<key id>', got '${arn}'`);
  }
  return undefined;
}

/** Checks an EBS snapshot id: `snap-` and 8 or 17 hex digits. */
export function checkSnapshotId(problems: InputProblems, snapshotId: string): void {
  if (!Token.isUnresolved(snapshotId) && !SNAPSHOT_ID.test(snapshotId)) {
    problems.add(`snapshotId is 'snap-' followed by 8 or 17 lowercase hex digits, got '${snapshotId}'`);
  }
}

/** Checks an AMI id: `ami-` and 8 or 17 hex digits. */
export function checkImageId(problems: InputProblems, imageId: string): void {
  if (!Token.isUnresolved(imageId) && !IMAGE_ID.test(imageId)) {
    problems.add(`imageId is 'ami-' followed by 8 or 17 lowercase hex digits, got '${imageId}'`);
  }
}

/** The stack's account when it is concrete. */
export function concreteAccount(stack: Stack): string | undefined {
  return Token.isUnresolved(stack.account) ? undefined : stack.account;
}

/** `amazonaws.com`, or `amazonaws.com.cn` in the China Regions; the stack's URL suffix when the region is a token. */
export function serviceDomain(stack: Stack, region: string): string {
  if (Token.isUnresolved(region)) {
    return stack.urlSuffix;
  }
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The path of a child construct about to be created. */
export function childPath(scope: { node: { path: string } }, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

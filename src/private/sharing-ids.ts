import { Stack, Token } from 'aws-cdk-lib';
import { InputProblems } from './validation';

/** The kinds of sharing targets. */
export enum SharingTargetKind {
  ACCOUNTS = 'ACCOUNTS',
  PRINCIPALS = 'PRINCIPALS',
  ORGANIZATION = 'ORGANIZATION',
  ORGANIZATIONAL_UNITS = 'ORGANIZATIONAL_UNITS',
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

const ROOT_ID = /^r-([0-9a-z]{4,32})$/;
const OU_ID = /^ou-([0-9a-z]{4,32})-[0-9a-z]{8,32}$/;
/** AWS Organizations nests organizational units at most five levels under the root. */
const MAX_OU_DEPTH = 5;
const PATH_FORM = "'o-exampleorg1/r-ab12/ou-ab12-11111111/' (organization id, root id, then each OU id down to the unit, each followed by '/')";

/**
 * Checks an AWS Organizations entity path (the form of `aws:PrincipalOrgPaths`) and returns it with its
 * trailing `/`, or undefined (with a problem recorded) when it is malformed. Each OU id carries the id of
 * its root (`ou-<root>-...`), so an OU under another root is refused too.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
 */
export function checkOrganizationPath(problems: Pick<InputProblems, 'add'>, what: string, path: string): string | undefined {
  if (Token.isUnresolved(path)) {
    problems.add(`${what}: a path must be known at synth time (its form decides the condition), got a deploy-time value`);
    return undefined;
  }
  const fail = (why: string) => {
    problems.add(`${what}: ${why}; a path looks like ${PATH_FORM}, got '${path}'`);
    return undefined;
  };
  if (/[*?]/.test(path)) {
    return fail('wildcards are not taken (the OU and every OU under it are included already)');
  }
  const segments = (path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  if (!ORGANIZATION_ID.test(segments[0])) {
    return fail(`it starts with the organization id ('o-' and 10 to 32 lowercase letters or digits), not '${segments[0]}'`);
  }
  const root = ROOT_ID.exec(segments[1] ?? '');
  if (!root) {
    return fail(`the organization id is followed by the root id ('r-' and 4 to 32 lowercase letters or digits), not '${segments[1] ?? ''}'`);
  }
  const units = segments.slice(2);
  if (units.length > MAX_OU_DEPTH) {
    return fail(`organizational units nest at most ${MAX_OU_DEPTH} levels under the root, got ${units.length}`);
  }
  for (const unit of units) {
    const ou = OU_ID.exec(unit);
    if (!ou) {
      return fail(`'${unit}' is not an organizational unit id ('ou-', the root's 4 to 32 characters, '-', 8 to 32 lowercase letters or digits)`);
    }
    if (ou[1] !== root[1]) {
      return fail(`'${unit}' belongs to root 'r-${ou[1]}', not to '${segments[1]}'`);
    }
  }
  return `${segments.join('/')}/`;
}

/** Checks an organizational unit id (`ou-...`) or a root id (`r-...`), the targets of a StackSet or a policy. */
export function checkOrganizationalUnitOrRootId(problems: InputProblems, what: string, id: string): void {
  if (Token.isUnresolved(id) || OU_ID.test(id) || ROOT_ID.test(id)) {
    return;
  }
  const hint = ORGANIZATION_ID.test(id) ? ` ('${id}' is an organization id: give its root id, 'r-...', for the whole organization)`
    : id.includes('/') ? ' (give the last id of a path, not the path)' : '';
  problems.add(`${what}: an organizational unit id is 'ou-' followed by the root's 4 to 32 characters, '-' and 8 to 32 lowercase letters or digits ('ou-ab12-11111111'), and a root id is 'r-' and 4 to 32 lowercase letters or digits, got '${id}'${hint}`);
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

import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeInput, InputProblems } from './validation';

/**
 * Checks of the properties that every KMS key has on its own, primary or replica: aliases,
 * description, tags, removal policy.
 */

const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
const MAX_ALIASES = 50;
const MAX_TAGS = 50;
const MAX_DESCRIPTION = 8_192;

/** Adds `alias/` when missing. */
export function normalizeAlias(aliasName: string): string {
  if (typeof aliasName !== 'string') {
    return aliasName;
  }
  return Token.isUnresolved(aliasName) || aliasName.startsWith('alias/') ? aliasName : `alias/${aliasName}`;
}

/**
 * Alias names taken in each app, per account and region (per stack when the stack's environment is not
 * concrete): an alias name is unique in an account and region, so a second key with it fails to deploy.
 */
const ALIASES_BY_APP = new WeakMap<IConstruct, Map<string, string>>();

function aliasSlot(stack: Stack, name: string): string {
  const env = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
    ? `stack ${stack.node.path}`
    : `${stack.account}/${stack.region}`;
  return `${env}|${name}`;
}

/** The path of the construct that already holds an alias name in the stack's account and region. */
function aliasHolder(stack: Stack, name: string): string | undefined {
  return ALIASES_BY_APP.get(stack.node.root)?.get(aliasSlot(stack, name));
}

/** Records that a construct holds an alias name in its stack's account and region. */
export function claimAlias(holder: IConstruct, name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  const stack = Stack.of(holder);
  const taken = ALIASES_BY_APP.get(stack.node.root) ?? new Map<string, string>();
  ALIASES_BY_APP.set(stack.node.root, taken);
  taken.set(aliasSlot(stack, name), holder.node.path);
}

/**
 * Checks one (normalized) alias name against KMS's rules, the names the key already has, and (with a
 * scope) the aliases of the other keys of the app in the same account and region.
 */
export function checkAlias(problems: InputProblems, name: string, existing: string[], scope?: IConstruct): void {
  if (typeof name !== 'string') {
    problems.add(`alias must be a string 'alias/<name>', got ${describeInput(name)}`);
    return;
  }
  if (!Token.isUnresolved(name)) {
    const holder = scope ? aliasHolder(Stack.of(scope), name) : undefined;
    if (holder !== undefined) {
      const stack = Stack.of(scope!);
      const where = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)
        ? `stack ${stack.node.path}` : `account ${stack.account} and region ${stack.region}`;
      problems.add(`alias '${name}' is already taken in ${where} by ${holder}; an alias name is unique in an account and region, allowed: a name no other key of the app has there`);
    }
    if (name.length > 256 || !ALIAS_PATTERN.test(name)) {
      problems.add(`alias must be 'alias/' followed by 1 to 250 characters of a-z A-Z 0-9 / _ -, got '${name}'`);
    }
    if (name.toLowerCase().startsWith('alias/aws/')) {
      problems.add(`alias must not start with 'alias/aws/' (reserved for AWS managed keys), got '${name}'`);
    }
    if (existing.includes(name)) {
      problems.add(`alias '${name}' is given twice`);
    }
  }
  if (existing.length >= MAX_ALIASES) {
    problems.add(`a key has at most ${MAX_ALIASES} aliases, got more (adding '${name}')`);
  }
}

/** Checks a list of alias names as given in props (with a scope: against the app's other aliases too). */
export function checkAliases(problems: InputProblems, aliases: string[], scope?: IConstruct): void {
  if (!Array.isArray(aliases)) {
    problems.add(`aliases must be a list of alias names, got ${describeInput(aliases)}`);
    return;
  }
  const seen: string[] = [];
  for (const alias of aliases) {
    checkAlias(problems, normalizeAlias(alias), seen, scope);
    seen.push(normalizeAlias(alias));
  }
}

/** Checks the tags of a key against KMS's rules. */
export function checkTags(problems: InputProblems, tags: { [key: string]: string }): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    problems.add(`a key has at most ${MAX_TAGS} tags, got ${entries.length}`);
  }
  for (const [key, value] of entries) {
    if (Token.isUnresolved(key)) {
      continue;
    }
    if (key.length < 1 || key.length > 128) {
      problems.add(`tag key must have 1 to 128 characters, got '${key}' (${key.length})`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      problems.add(`tag key must not start with 'aws:' (reserved by AWS), got '${key}'`);
    }
    if (!Token.isUnresolved(value) && value.length > 256) {
      problems.add(`tag value has at most 256 characters, got ${value.length} for tag '${key}'`);
    }
  }
}

/** Checks a key description's length. */
export function checkDescription(problems: InputProblems, description: string | undefined): void {
  if (description !== undefined && typeof description !== 'string') {
    problems.add(`description must be a string of at most ${MAX_DESCRIPTION} characters, got ${describeInput(description)}`);
  } else if (description !== undefined && !Token.isUnresolved(description) && description.length > MAX_DESCRIPTION) {
    problems.add(`description has at most ${MAX_DESCRIPTION} characters, got ${description.length}`);
  }
}

/** Keys cannot be snapshotted. */
export function checkRemovalPolicy(problems: InputProblems, removalPolicy: RemovalPolicy | undefined): void {
  if (removalPolicy === RemovalPolicy.SNAPSHOT) {
    problems.add('removalPolicy SNAPSHOT does not apply to KMS keys; allowed: RETAIN (default), RETAIN_ON_UPDATE_OR_DELETE, DESTROY');
  }
}

/**
 * The construct id of an alias: one per alias name, so that reordering aliases never replaces one (a
 * replacement would fail: the new alias is created before the old one is deleted). An alias name from a
 * deploy-time value cannot be part of an id: it gets the id of its place among such names.
 */
export function aliasConstructId(name: string, existing: string[]): string {
  if (!Token.isUnresolved(name)) {
    return `Alias${name}`;
  }
  return `AliasFromToken${existing.filter((a) => Token.isUnresolved(a)).length + 1}`;
}

import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { InputProblems } from './validation';

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
  return Token.isUnresolved(aliasName) || aliasName.startsWith('alias/') ? aliasName : `alias/${aliasName}`;
}

/** Checks one (normalized) alias name against KMS's rules and the names the key already has. */
export function checkAlias(problems: InputProblems, name: string, existing: string[]): void {
  if (!Token.isUnresolved(name)) {
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

/** Checks a list of alias names as given in props. */
export function checkAliases(problems: InputProblems, aliases: string[]): void {
  const seen: string[] = [];
  for (const alias of aliases) {
    checkAlias(problems, normalizeAlias(alias), seen);
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
  if (description !== undefined && !Token.isUnresolved(description) && description.length > MAX_DESCRIPTION) {
    problems.add(`description has at most ${MAX_DESCRIPTION} characters, got ${description.length}`);
  }
}

/** Keys cannot be snapshotted. */
export function checkRemovalPolicy(problems: InputProblems, removalPolicy: RemovalPolicy | undefined): void {
  if (removalPolicy === RemovalPolicy.SNAPSHOT) {
    problems.add('removalPolicy SNAPSHOT does not apply to KMS keys; allowed: RETAIN (default), RETAIN_ON_UPDATE_OR_DELETE, DESTROY');
  }
}

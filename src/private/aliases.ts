import { Token } from 'aws-cdk-lib';
import { InputProblems } from './validation';

/** @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html */
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
const MAX_ALIASES = 50;

/** Adds the `alias/` prefix when it is missing. */
export function normalizeAlias(aliasName: string): string {
  return Token.isUnresolved(aliasName) || aliasName.startsWith('alias/') ? aliasName : `alias/${aliasName}`;
}

/** Records the problems of an alias name that is to join the given names of the same key. */
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

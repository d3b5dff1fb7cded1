import { Stack, Token, TokenComparison } from 'aws-cdk-lib';

/**
 * Whether two account or region values are certainly the same: equal concrete values, or the same
 * token (for example `Aws.ACCOUNT_ID` of two env-agnostic stacks, deployed to one environment).
 */
export function sameValue(a: string, b: string): boolean {
  return a === b || Token.compareStrings(a, b) === TokenComparison.SAME;
}

/** Whether two stacks are certainly in the same account and region. */
export function sameEnvironment(a: Stack, b: Stack): boolean {
  return sameValue(a.account, b.account) && sameValue(a.region, b.region);
}

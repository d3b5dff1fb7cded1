import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';

/** Facts of the key a service preset is added to. */
export interface PresetKeyFacts {
  readonly keySpec: kms.KeySpec;
  readonly stack: Stack;
  readonly userActions: string[];
}

/** A statement of a resolved key policy, as the perimeter checks read it. */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: any;
  readonly Action?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

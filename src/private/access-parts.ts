import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';

/** Facts of the key a service preset is added to. */
export interface PresetKeyFacts {
  readonly keySpec: kms.KeySpec;
  readonly stack: Stack;
  readonly userActions: string[];
}


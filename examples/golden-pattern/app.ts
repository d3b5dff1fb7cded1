import { App, Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { GoldenPatternStack } from './golden-pattern-stack';
import { addMultiRegionPattern } from './multi-region-pattern';
import { addReplicationPattern } from './replication-pattern';
import { OrdersApplicationStack, SharedKeysStack } from './shared-keys-pattern';
import { SharingPatternStack } from './sharing-pattern';
import { KeyAccessReport, KmsGoldenRules } from '../../src';

/** The rule packs every stack of the example app is checked against: ours and cdk-nag's compliance packs. */
export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(
    new KmsGoldenRules(app),
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
  );
}

/** Adds the example's stacks and checks to an app, and the access report of its keys. */
export function addGoldenPatternApp(app: App, env: Environment): void {
  new GoldenPatternStack(app, 'GoldenPatternKeys', { env });
  addMultiRegionPattern(app, env);
  const sharedKeys = new SharedKeysStack(app, 'GoldenPatternSharedKeys', { env });
  new OrdersApplicationStack(app, 'GoldenPatternOrders', { env, key: sharedKeys.key });
  new SharingPatternStack(app, 'GoldenPatternSharing', { env });
  addReplicationPattern(app, env);
  addCompliancePacks(app);
  // Who can do what with each key: cdk.out/key-access-report.md and .json.
  Validations.of(app).addPlugins(new KeyAccessReport());
}

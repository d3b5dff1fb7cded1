import { CustomerManagedKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, synthFindings } from '../nag';

const RULE = 'KmsGolden-KeyPolicyNearSizeLimit';

function manyRoles(count: number): any {
  const roles = Array.from({ length: count }, (_, i) => `arn:aws:iam::${ACCOUNT}:role/app-${String(i).padStart(5, '0')}`);
  return allow({ AWS: roles }, 'kms:Decrypt');
}

describe(RULE, () => {
  test('a CustomerManagedKey passes', () => {
    const app = newApp();
    new CustomerManagedKey(newStack(app), 'Key');

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a key policy over 80% of the limit is a warning', () => {
    const app = newApp();
    // About 29 KB once deployed.
    keyWithStatements(newStack(app), 'Key', [manyRoles(650)]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([{ pack: 'KmsGolden', ruleId: RULE, severity: 'warning', path: 'Stack/Key' }]);
  });

  test('a key policy under 80% of the limit passes', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [manyRoles(400)]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });
});

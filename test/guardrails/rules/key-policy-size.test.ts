import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, synthFindings } from '../nag';

const RULE = 'KmsGolden-KeyPolicySize';

/** A statement naming `count` role ARNs of this account (about 45 bytes each once deployed). */
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

  test('a plain kms.Key granting one user passes', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.grantDecrypt(new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/app`));

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a key policy over 32,768 bytes is an error, not also a near-limit warning', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [manyRoles(800)]);

    const findings = synthFindings(app);
    expect(findingsOf(findings, RULE)).toEqual([{ pack: 'KmsGolden', ruleId: RULE, severity: 'error', path: 'Stack/Key' }]);
    expect(findingsOf(findings, 'KmsGolden-KeyPolicyNearSizeLimit')).toEqual([]);
  });

  test('intrinsics count at the longest value they can take', () => {
    // As written, 250 attributes take about 10 KB; deployed, each can be a 160-byte ARN (about 41 KB).
    const app = newApp();
    const getAtts = Array.from({ length: 250 }, (_, i) => ({ 'Fn::GetAtt': [`Role${i}`, 'Arn'] }));
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: getAtts }, 'kms:Decrypt')]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key']);
  });
});

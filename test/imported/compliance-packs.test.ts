import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { addCompliancePacks } from '../../examples/golden-pattern/app';
import { ImportedKeyRing, KeyArnPublication } from '../../src';

const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

/** The rotation rules of the packs, which do not know that keys with imported material cannot rotate. */
const ROTATION_RULES = [
  'AwsSolutions::AwsSolutions-KMS5',
  'NIST.800.53.R5::NIST.800.53.R5-KMSBackingKeyRotationEnabled',
  'PCI.DSS.321::PCI.DSS.321-KMSBackingKeyRotationEnabled',
];

/** GIVEN a ring with a published active key ARN, read by the users, under every pack of the example app. */
function synth(acknowledge: boolean): () => void {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ring-')), context: CONTEXT });
  const stack = new Stack(app, 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
  const admins = new iam.Role(stack, 'Admins', { assumedBy: new iam.AccountRootPrincipal() });
  const users = new iam.Role(stack, 'Users', { assumedBy: new iam.AccountRootPrincipal() });
  const ring = new ImportedKeyRing(stack, 'Ring', { aliasName: 'alias/app', versions: ['v1', 'v2'], admins: [admins], users: [users] });
  new KeyArnPublication(stack, 'KeyArn', { key: ring.activeKey, parameterName: '/app/kms-key-arn', readers: [users] });
  if (acknowledge) {
    for (const key of ring.versionKeys) {
      for (const id of ROTATION_RULES) {
        Validations.of(key).acknowledge({ id, reason: 'Imported key material cannot rotate automatically; the ring rotates it by alias' });
      }
    }
  }
  addCompliancePacks(app);
  return () => app.synth();
}

describe('an imported key ring and a key ARN publication under AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1 and CloudFormation validation', () => {
  test('the packs flag only automatic rotation, which keys with imported material cannot have', () => {
    let message = '';
    try {
      synth(false)();
    } catch (e) {
      message = String(e);
    }
    const findings = [...message.matchAll(/Acknowledge with '([^']+)'/g)].map((m) => m[1]);
    // Each rotation rule, once for each of the two versions.
    expect(findings.sort()).toEqual([...ROTATION_RULES, ...ROTATION_RULES].sort());
  });

  test('with the rotation rules acknowledged (with their reason) there is no other finding', () => {
    expect(synth(true)).not.toThrow();
  });
});

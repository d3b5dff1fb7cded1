/**
 * The share handler's code, run as Lambda would run it (CommonJS, `require`), with a stubbed EC2 client
 * and a stubbed https: the exact EC2 calls and the answer to CloudFormation of each request.
 */
import { EventEmitter } from 'events';
import { EBS_SHARE_HANDLER_CODE } from '../../src/private/ebs-share-handler';

const SNAPSHOT = 'snap-0123456789abcdef0';
const OTHER_SNAPSHOT = 'snap-0fedcba9876543210';
const IMAGE = 'ami-0123456789abcdef0';
const LOGICAL_ID = 'ShareAE7226EF';
const ORG_ARN = 'arn:aws:organizations::999999999999:organization/o-abcdefghij';
const OU_ARN = 'arn:aws:organizations::999999999999:ou/o-abcdefghij/ou-ab12-cdefgh34';
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws/stack?X-Amz-Signature=abc';
const accounts = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(200000000000 + from + i));

interface Call { readonly command: string; readonly input: any }

/** An EC2 error as the SDK v3 throws it: the error code is the name. */
function ec2Error(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** Loads the handler with stubs; `fail` may throw for a call. */
function load(fail: (call: Call) => Error | undefined = () => undefined) {
  const calls: Call[] = [];
  const responses: { options: any; body: any }[] = [];
  class Command {
    constructor(public readonly input: unknown) {}
  }
  const ec2 = {
    EC2Client: class {
      public async send(command: Command) {
        const call = { command: command.constructor.name, input: command.input };
        calls.push(call);
        const error = fail(call);
        if (error) {
          throw error;
        }
        return {};
      }
    },
    ModifySnapshotAttributeCommand: class ModifySnapshotAttributeCommand extends Command {},
    ModifyImageAttributeCommand: class ModifyImageAttributeCommand extends Command {},
  };
  const https = {
    request: (options: any, callback: (res: EventEmitter & { resume(): void }) => void) => {
      const req = Object.assign(new EventEmitter(), {
        end: (body: string) => {
          responses.push({ options, body: JSON.parse(body) });
          expect(options.headers['content-length']).toEqual(Buffer.byteLength(body));
          const res = Object.assign(new EventEmitter(), { resume: () => undefined });
          callback(res);
          setImmediate(() => res.emit('end'));
        },
      });
      return req;
    },
  };
  const required = (name: string) => {
    if (name === 'https') return https;
    if (name === '@aws-sdk/client-ec2') return ec2;
    throw new Error(`the handler requires ${name}, which Lambda's Node.js runtime does not have`);
  };
  const module = { exports: {} as any };
  new Function('require', 'exports', 'module', EBS_SHARE_HANDLER_CODE)(required, module.exports, module);
  return { handler: module.exports.handler as (event: unknown) => Promise<void>, calls, responses };
}

function event(requestType: 'Create' | 'Update' | 'Delete', properties: object, extra: object = {}) {
  return {
    RequestType: requestType,
    ResponseURL: RESPONSE_URL,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Owner/1234',
    RequestId: 'request-1',
    LogicalResourceId: LOGICAL_ID,
    ResourceType: 'Custom::EbsSnapshotShare',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:handler', ...properties },
    ...extra,
  };
}

const snapshotAdd = (snapshotId: string, ids: string[]) => ({
  command: 'ModifySnapshotAttributeCommand',
  input: { SnapshotId: snapshotId, Attribute: 'createVolumePermission', CreateVolumePermission: { Add: ids.map((UserId) => ({ UserId })) } },
});
const snapshotRemove = (snapshotId: string, ids: string[]) => ({
  command: 'ModifySnapshotAttributeCommand',
  input: { SnapshotId: snapshotId, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove: ids.map((UserId) => ({ UserId })) } },
});

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('the code fits in an inline ZipFile (4,096 bytes)', () => {
  expect(Buffer.byteLength(EBS_SHARE_HANDLER_CODE)).toBeLessThan(4096);
});

describe('create', () => {
  test('adds every account to the snapshot in one call and answers CloudFormation with a stable physical id', async () => {
    const { handler, calls, responses } = load();
    await handler(event('Create', { SnapshotId: SNAPSHOT, AccountIds: ['222222222222', '333333333333'] }));
    expect(calls).toEqual([snapshotAdd(SNAPSHOT, ['222222222222', '333333333333'])]);
    expect(responses).toHaveLength(1);
    expect(responses[0].options).toMatchObject({
      method: 'PUT',
      hostname: 'cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com',
      path: '/arn%3Aaws/stack?X-Amz-Signature=abc',
    });
    expect(responses[0].body).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}`,
      StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Owner/1234',
      RequestId: 'request-1',
      LogicalResourceId: LOGICAL_ID,
    });
  });

  test('250 accounts go by 100 per call', async () => {
    const { handler, calls } = load();
    await handler(event('Create', { SnapshotId: SNAPSHOT, AccountIds: accounts(0, 250) }));
    expect(calls).toEqual([
      snapshotAdd(SNAPSHOT, accounts(0, 100)),
      snapshotAdd(SNAPSHOT, accounts(100, 100)),
      snapshotAdd(SNAPSHOT, accounts(200, 50)),
    ]);
  });

  test('an AMI gets accounts, organizations and organizational units as launch permissions', async () => {
    const { handler, calls, responses } = load();
    await handler(event('Create', { ImageId: IMAGE, AccountIds: ['222222222222'], OrganizationArns: [ORG_ARN], OrganizationalUnitArns: [OU_ARN] }));
    expect(calls).toEqual([{
      command: 'ModifyImageAttributeCommand',
      input: { ImageId: IMAGE, LaunchPermission: { Add: [{ UserId: '222222222222' }, { OrganizationArn: ORG_ARN }, { OrganizationalUnitArn: OU_ARN }] } },
    }]);
    expect(responses[0].body.PhysicalResourceId).toEqual(`${IMAGE}:${LOGICAL_ID}`);
  });

  test('a failure is reported with the error, under a physical id that marks the failed create', async () => {
    const { handler, responses } = load(() => ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await handler(event('Create', { SnapshotId: SNAPSHOT, AccountIds: ['222222222222'] }));
    expect(responses.map((r) => r.body)).toEqual([expect.objectContaining({
      Status: 'FAILED',
      Reason: 'UnauthorizedOperation: You are not authorized to perform this operation.',
      PhysicalResourceId: `failed:${LOGICAL_ID}`,
    })]);
  });

  test('a snapshot that does not exist fails the create', async () => {
    const { handler, responses } = load(() => ec2Error('InvalidSnapshot.NotFound', `The snapshot '${SNAPSHOT}' does not exist.`));
    await handler(event('Create', { SnapshotId: SNAPSHOT, AccountIds: ['222222222222'] }));
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^InvalidSnapshot.NotFound: /) });
  });
});

describe('update', () => {
  test('removes the dropped accounts and adds the new ones, never touching the kept ones', async () => {
    const { handler, calls, responses } = load();
    await handler(event('Update', { SnapshotId: SNAPSHOT, AccountIds: ['333333333333', '444444444444'] }, {
      OldResourceProperties: { SnapshotId: SNAPSHOT, AccountIds: ['222222222222', '333333333333'] },
      PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}`,
    }));
    expect(calls).toEqual([snapshotRemove(SNAPSHOT, ['222222222222']), snapshotAdd(SNAPSHOT, ['444444444444'])]);
    expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}` });
  });

  test('AMI targets of every kind are compared by kind and value', async () => {
    const { handler, calls } = load();
    await handler(event('Update', { ImageId: IMAGE, AccountIds: ['222222222222'], OrganizationalUnitArns: [OU_ARN] }, {
      OldResourceProperties: { ImageId: IMAGE, AccountIds: ['222222222222'], OrganizationArns: [ORG_ARN] },
      PhysicalResourceId: `${IMAGE}:${LOGICAL_ID}`,
    }));
    expect(calls).toEqual([
      { command: 'ModifyImageAttributeCommand', input: { ImageId: IMAGE, LaunchPermission: { Remove: [{ OrganizationArn: ORG_ARN }] } } },
      { command: 'ModifyImageAttributeCommand', input: { ImageId: IMAGE, LaunchPermission: { Add: [{ OrganizationalUnitArn: OU_ARN }] } } },
    ]);
  });

  test('the same targets (another service token, another order) call nothing', async () => {
    const { handler, calls, responses } = load();
    await handler(event('Update', { SnapshotId: SNAPSHOT, AccountIds: ['333333333333', '222222222222'] }, {
      OldResourceProperties: { ServiceToken: 'old', SnapshotId: SNAPSHOT, AccountIds: ['222222222222', '333333333333'] },
      PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}`,
    }));
    expect(calls).toEqual([]);
    expect(responses[0].body.Status).toEqual('SUCCESS');
  });

  test('another snapshot is a replacement: all accounts are added to it under a new physical id, and the old resource\'s delete removes its own', async () => {
    const { handler, calls, responses } = load();
    const oldProperties = { SnapshotId: SNAPSHOT, AccountIds: ['222222222222', '333333333333'] };
    await handler(event('Update', { SnapshotId: OTHER_SNAPSHOT, AccountIds: ['333333333333'] }, {
      OldResourceProperties: oldProperties,
      PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}`,
    }));
    expect(calls).toEqual([snapshotAdd(OTHER_SNAPSHOT, ['333333333333'])]);
    expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${OTHER_SNAPSHOT}:${LOGICAL_ID}` });

    // CloudFormation then deletes the old physical resource, with its own (old) properties.
    await handler(event('Delete', oldProperties, { PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}` }));
    expect(calls.slice(1)).toEqual([snapshotRemove(SNAPSHOT, ['222222222222', '333333333333'])]);
    expect(responses[1].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}` });
  });

  test('a failure keeps the physical id, so CloudFormation neither replaces nor deletes the resource', async () => {
    const { handler, responses } = load((call) => (call.input.CreateVolumePermission.Add ? ec2Error('InvalidParameterValue', 'bad account') : undefined));
    await handler(event('Update', { SnapshotId: SNAPSHOT, AccountIds: ['444444444444'] }, {
      OldResourceProperties: { SnapshotId: SNAPSHOT, AccountIds: ['222222222222'] },
      PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}`,
    }));
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'InvalidParameterValue: bad account', PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}` });
  });
});

describe('delete', () => {
  test('removes every target', async () => {
    const { handler, calls, responses } = load();
    await handler(event('Delete', { ImageId: IMAGE, AccountIds: ['222222222222'], OrganizationArns: [ORG_ARN] }, { PhysicalResourceId: `${IMAGE}:${LOGICAL_ID}` }));
    expect(calls).toEqual([{
      command: 'ModifyImageAttributeCommand',
      input: { ImageId: IMAGE, LaunchPermission: { Remove: [{ UserId: '222222222222' }, { OrganizationArn: ORG_ARN }] } },
    }]);
    expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${IMAGE}:${LOGICAL_ID}` });
  });

  test.each([
    ['InvalidSnapshot.NotFound', { SnapshotId: SNAPSHOT, AccountIds: ['222222222222'] }, `${SNAPSHOT}:${LOGICAL_ID}`],
    ['InvalidAMIID.NotFound', { ImageId: IMAGE, AccountIds: ['222222222222'] }, `${IMAGE}:${LOGICAL_ID}`],
    ['InvalidAMIID.Unavailable', { ImageId: IMAGE, AccountIds: ['222222222222'] }, `${IMAGE}:${LOGICAL_ID}`],
  ])('%s: a snapshot or image that is gone is shared with nobody (success)', async (code, properties, physicalId) => {
    const { handler, calls, responses } = load(() => ec2Error(code, 'gone'));
    await handler(event('Delete', properties, { PhysicalResourceId: physicalId }));
    expect(calls).toHaveLength(1);
    expect(responses[0].body.Status).toEqual('SUCCESS');
  });

  test('any other error fails the delete', async () => {
    const { handler, responses } = load(() => ec2Error('UnauthorizedOperation', 'not authorized'));
    await handler(event('Delete', { SnapshotId: SNAPSHOT, AccountIds: ['222222222222'] }, { PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}` }));
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'UnauthorizedOperation: not authorized', PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}` });
  });

  test('after a failed create: removes what it may have added, and succeeds even when that fails', async () => {
    const { handler, calls, responses } = load(() => ec2Error('UnauthorizedOperation', 'not authorized'));
    await handler(event('Delete', { SnapshotId: SNAPSHOT, AccountIds: ['222222222222'] }, { PhysicalResourceId: `failed:${LOGICAL_ID}` }));
    expect(calls).toEqual([snapshotRemove(SNAPSHOT, ['222222222222'])]);
    expect(responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `failed:${LOGICAL_ID}` });
  });

  test('a physical id of another snapshot than its properties name touches nothing', async () => {
    const { handler, calls, responses } = load();
    await handler(event('Delete', { SnapshotId: OTHER_SNAPSHOT, AccountIds: ['222222222222'] }, { PhysicalResourceId: `${SNAPSHOT}:${LOGICAL_ID}` }));
    expect(calls).toEqual([]);
    expect(responses[0].body.Status).toEqual('SUCCESS');
  });
});

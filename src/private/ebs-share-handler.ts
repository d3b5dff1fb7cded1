/**
 * The handler of the library's EBS snapshot and AMI share custom resources (`Custom::EbsSnapshotShare`,
 * `Custom::AmiShare`): one resource holds every target of a share, so an update has to add the new
 * targets and remove the dropped ones, which a static AwsCustomResource call cannot do.
 *
 * Properties: `SnapshotId` and `AccountIds`, or `ImageId` with `AccountIds`, `OrganizationArns` and
 * `OrganizationalUnitArns`. The physical id is the snapshot or image id and the logical id: a changed
 * snapshot or image id is a replacement, and CloudFormation's Delete of the old resource (with the old
 * resource's own properties) removes its targets from the old snapshot or image.
 *
 * CommonJS for Lambda's inline `index.js` (at most 4,096 bytes); the AWS SDK v3 is in the runtime.
 * Snapshots take at most 500 modifications per call and images document no limit: both go by 100.
 */
export const EBS_SHARE_HANDLER_CODE = `const https = require('https');
const ec2sdk = require('@aws-sdk/client-ec2');
const ec2 = new ec2sdk.EC2Client({});
const CHUNK = 100;
const GONE = /^(InvalidSnapshot\\.NotFound|InvalidAMIID\\.(NotFound|Unavailable))$/;

const resourceId = (p) => p.SnapshotId || p.ImageId;

// The launch or create-volume permissions of a resource's properties, keyed by their JSON.
function targets(p) {
  const list = [
    ...(p.AccountIds || []).map((v) => ({ UserId: v })),
    ...(p.OrganizationArns || []).map((v) => ({ OrganizationArn: v })),
    ...(p.OrganizationalUnitArns || []).map((v) => ({ OrganizationalUnitArn: v })),
  ];
  return new Map(list.map((t) => [JSON.stringify(t), t]));
}

const minus = (a, b) => [...a].filter(([k]) => !b.has(k)).map(([, t]) => t);

async function modify(p, op, list) {
  for (let i = 0; i < list.length; i += CHUNK) {
    const change = { [op]: list.slice(i, i + CHUNK) };
    const command = p.SnapshotId
      ? new ec2sdk.ModifySnapshotAttributeCommand({ SnapshotId: p.SnapshotId, Attribute: 'createVolumePermission', CreateVolumePermission: change })
      : new ec2sdk.ModifyImageAttributeCommand({ ImageId: p.ImageId, LaunchPermission: change });
    try {
      await ec2.send(command);
    } catch (e) {
      // A snapshot or image that is gone is shared with nobody.
      if (op === 'Remove' && GONE.test(e.name || e.Code)) return;
      throw e;
    }
  }
}

function respond(event, Status, PhysicalResourceId, Reason) {
  const body = JSON.stringify({
    Status, Reason, PhysicalResourceId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
  });
  const url = new URL(event.ResponseURL);
  return new Promise((resolve, reject) => {
    const req = https.request({
      hostname: url.hostname, path: url.pathname + url.search, method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
}

exports.handler = async (event) => {
  const p = event.ResourceProperties;
  const own = resourceId(p) + ':' + event.LogicalResourceId;
  const type = event.RequestType;
  let physicalId = type === 'Create' ? own : event.PhysicalResourceId;
  let status = 'SUCCESS';
  let reason;
  try {
    if (type === 'Create') {
      await modify(p, 'Add', [...targets(p).values()]);
    } else if (type === 'Update') {
      const o = event.OldResourceProperties;
      // Another snapshot or image is a new physical id: CloudFormation then deletes the old resource.
      const before = resourceId(o) === resourceId(p) ? targets(o) : new Map();
      await modify(p, 'Remove', minus(before, targets(p)));
      await modify(p, 'Add', minus(targets(p), before));
      physicalId = own;
    } else if (physicalId === own) {
      await modify(p, 'Remove', [...targets(p).values()]);
    } else if (physicalId.startsWith('failed:')) {
      // Its create failed: remove what it may have added, and never block the rollback.
      await modify(p, 'Remove', [...targets(p).values()]).catch((e) => console.error(e));
    }
  } catch (e) {
    console.error(e);
    status = 'FAILED';
    reason = String(e.name + ': ' + e.message).slice(0, 1000);
    if (type === 'Create') physicalId = 'failed:' + event.LogicalResourceId;
  }
  console.log(type, physicalId, status);
  await respond(event, status, physicalId, reason);
};
`;

/**
 * IAM conditions of a key policy in words, for the access report: `kms:ViaService =
 * ec2.eu-west-1.amazonaws.com` reads "through EC2 in eu-west-1".
 */

/** One test of a condition block: operator, key and values, as written (values rendered readable). */
export interface ConditionClause {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

/** Lists longer than this are summarised in words (the JSON report keeps them whole). */
export const LIST_SUMMARY_THRESHOLD = 10;

const SERVICE_NAMES: Record<string, string> = {
  ec2: 'EC2',
  s3: 'S3',
  rds: 'RDS',
  dynamodb: 'DynamoDB',
  secretsmanager: 'Secrets Manager',
  lambda: 'Lambda',
  sqs: 'SQS',
  sns: 'SNS',
  logs: 'CloudWatch Logs',
  elasticfilesystem: 'EFS',
  kinesis: 'Kinesis',
  backup: 'AWS Backup',
  ecr: 'ECR',
  eks: 'EKS',
  es: 'OpenSearch',
  ssm: 'Systems Manager',
  cloudtrail: 'CloudTrail',
  events: 'EventBridge',
  autoscaling: 'EC2 Auto Scaling',
  glue: 'Glue',
  kafka: 'MSK',
  redshift: 'Redshift',
  sagemaker: 'SageMaker',
  elasticache: 'ElastiCache',
};

/** `ec2.eu-west-1.amazonaws.com` as "EC2 in eu-west-1". */
export function serviceInWords(endpoint: string): string {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+|\$\{[^}]+\})\.amazonaws\.com(\.cn)?$/i.exec(endpoint);
  if (!m) {
    return endpoint;
  }
  const region = m[2] === '${AWS::Region}' ? 'the stack\'s region' : m[2];
  return `${SERVICE_NAMES[m[1].toLowerCase()] ?? m[1]} in ${region}`;
}

/** A list of values in words: `a`, `a or b`, or a count when the list is long. */
export function listInWords(values: string[], noun: string): string {
  if (values.length > LIST_SUMMARY_THRESHOLD) {
    return `any of ${values.length.toLocaleString('en-US')} ${noun} (full list in the JSON report)`;
  }
  const quoted = values.map((v) => `\`${v}\``);
  if (quoted.length <= 1) {
    return quoted.join('');
  }
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** Whether the operator denies a match rather than requiring one (`StringNotEquals`, `ArnNotLike`...). */
function negated(operator: string): boolean {
  return /not/i.test(operator.replace(/IfExists$/i, ''));
}

/** One clause in words, as a requirement of the request. */
export function clauseInWords(clause: ConditionClause): string {
  const key = clause.key.toLowerCase();
  const op = clause.operator;
  const not = negated(op);
  // IfExists: a request without the key passes the test, whatever the operator.
  const ifExists = !/IfExists$/i.test(op) || /^Bool/i.test(op) ? '' : not ? ' (or without it)' : ' (when the request has it)';
  const isNull = /^Null$/i.test(op);
  if (isNull) {
    const absent = clause.values.every((v) => v.toLowerCase() === 'true');
    return `\`${clause.key}\` ${absent ? 'absent' : 'present'}`;
  }
  if (key === 'iam:identitypolicy') {
    return 'its own IAM policy allows it';
  }
  const values = clause.values;
  const prefix = /^ForAnyValue:/i.test(op) ? 'any of ' : /^ForAllValues:/i.test(op) ? 'all of ' : '';
  const is = not ? 'not ' : '';
  let words: string;
  switch (key) {
    case 'kms:viaservice':
      words = not
        ? `not through ${values.map(serviceInWords).join(' or ')}`
        : `through ${values.map(serviceInWords).join(' or ')}`;
      break;
    case 'kms:calleraccount':
    case 'aws:principalaccount':
      words = not
        ? `from accounts other than ${listInWords(values, 'accounts')}`
        : `from ${values.length === 1 ? 'account' : 'accounts'} ${listInWords(values, 'accounts')}`;
      break;
    case 'aws:principalorgid':
      words = not ? `from outside organization ${listInWords(values, 'organizations')}` : `from principals of organization ${listInWords(values, 'organizations')}`;
      break;
    case 'aws:principalorgpaths':
      words = `${is}from principals under ${prefix}organization path ${listInWords(values, 'paths')}`;
      break;
    case 'aws:principalarn':
      words = `${is}by ${listInWords(values, 'principals')}`;
      break;
    case 'aws:principalisawsservice':
      words = values.every((v) => v.toLowerCase() === 'true') !== not ? 'by an AWS service principal' : 'not by an AWS service principal';
      break;
    case 'aws:viaawsservice':
      words = values.every((v) => v.toLowerCase() === 'true') !== not ? 'through an AWS service' : 'not through an AWS service';
      break;
    case 'kms:grantisforawsresource':
      words = values.every((v) => v.toLowerCase() === 'true') !== not ? 'only grants for AWS resources' : 'grants not for AWS resources';
      break;
    case 'aws:sourceaccount':
      words = `${is}on behalf of account ${listInWords(values, 'accounts')}`;
      break;
    case 'aws:sourcearn':
      words = `${is}on behalf of ${listInWords(values, 'resources')}`;
      break;
    case 'aws:sourcevpce':
      words = `${is}from VPC endpoint ${listInWords(values, 'endpoints')}`;
      break;
    case 'aws:sourcevpc':
      words = `${is}from VPC ${listInWords(values, 'VPCs')}`;
      break;
    case 'aws:sourceip':
      words = `${is}from IP range ${listInWords(values, 'ranges')}`;
      break;
    case 'kms:replicaregion':
      words = `${is}replicas in ${listInWords(values, 'regions')}`;
      break;
    case 'kms:granteeprincipal':
      words = `${is}grants to ${listInWords(values, 'principals')}`;
      break;
    case 'kms:retiringprincipal':
      words = `${is}grants retired by ${listInWords(values, 'principals')}`;
      break;
    case 'kms:grantoperations':
      words = `grants for ${prefix}operations ${listInWords(values, 'operations')}${not ? ' excluded' : ''}`;
      break;
    case 'kms:encryptioncontext:aws:s3:arn':
      words = `${is}for ${values.map((v) => (v.endsWith('/*') || v.endsWith('*') ? `objects of ${v.replace(/\/?\*$/, '')}` : v)).join(' or ')} (S3 encryption context)`;
      break;
    case 'kms:encryptioncontext:aws:logs:arn':
      words = `${is}for log group ${listInWords(values, 'log groups')}`;
      break;
    case 'kms:encryptioncontext:aws:cloudtrail:arn':
      words = `${is}for trail ${listInWords(values, 'trails')}`;
      break;
    case 'aws:requestedregion':
      words = `${is}in region ${listInWords(values, 'regions')}`;
      break;
    default:
      if (key.startsWith('kms:encryptioncontext:')) {
        words = `${is}with encryption context \`${clause.key.substring('kms:EncryptionContext:'.length)}\` = ${listInWords(values, 'values')}`;
      } else if (key === 'kms:encryptioncontextkeys') {
        words = `${is}with ${prefix}encryption context keys ${listInWords(values, 'keys')}`;
      } else {
        words = `\`${clause.key}\` ${op} ${listInWords(values, 'values')}`;
      }
  }
  return words + ifExists;
}

/** Every clause of a condition block, in a stable order. */
export function clausesOf(condition: unknown, render: (v: unknown) => string): ConditionClause[] {
  if (condition === null || typeof condition !== 'object') {
    return [];
  }
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (block === null || typeof block !== 'object') {
      continue;
    }
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const values = (Array.isArray(value) ? value : [value]).map(render);
      out.push({ operator, key, values });
    }
  }
  return out.sort((a, b) => (a.key.toLowerCase() + a.operator).localeCompare(b.key.toLowerCase() + b.operator));
}

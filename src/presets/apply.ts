import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ServicePreset } from './service-preset';
import type { CustomerManagedKey } from '../key/customer-managed-key';
import { PresetKeyFacts } from '../private/access-parts';
import { InputProblems } from '../private/validation';

/** Statement ids taken on each key, so that a preset added twice gets ids of its own. */
const sidsByKey = new WeakMap<IConstruct, Set<string>>();

/**
 * Validates a preset against the key (every problem in one error with the key's path) and adds it to the
 * key's access model, so the key and its replicas render it for their own region.
 */
export function applyServicePreset(key: CustomerManagedKey, preset: ServicePreset): void {
  const facts: PresetKeyFacts = { keySpec: key.keySpec, stack: Stack.of(key), userActions: key.userActions };
  const problems = new InputProblems(key.node.path);
  for (const problem of preset._problems(facts)) {
    problems.add(problem);
  }
  problems.throwIfAny();

  const sid = uniqueSid(key, preset._sidBase);
  key._policyModel.add((context) => preset._render(context, sid, facts));
}

function uniqueSid(key: IConstruct, base: string): string {
  const taken = sidsByKey.get(key) ?? new Set<string>();
  sidsByKey.set(key, taken);
  let sid = base;
  for (let n = 2; taken.has(sid); n++) {
    sid = `${base}${n}`;
  }
  taken.add(sid);
  return sid;
}

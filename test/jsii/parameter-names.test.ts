import * as path from 'path';
import * as reflect from 'jsii-reflect';

/**
 * Python and Java callers pass arguments by the names the jsii assembly records. A class that implements
 * an aws-cdk-lib interface (kms.IKey, ...) must keep the interface's parameter names, or keyword calls and
 * runtime protocol checks (typeguard) fail; and no parameter may start with `_` (not a keyword Python
 * callers can be expected to type). Reads the assembly that `jsii` compiles (`.jsii`).
 */

let assembly: reflect.Assembly;

beforeAll(async () => {
  const system = new reflect.TypeSystem();
  // aws-cdk-lib's assembly uses these features; the library's types are read either way.
  assembly = await system.loadModule(path.join(__dirname, '..', '..'), {
    validate: false,
    supportedFeatures: ['intersection-types', 'class-covariant-overrides'],
  });
}, 120_000);

/** Every callable (initializers and methods, static or not) that the library itself declares. */
function ownCallables(): { owner: string; callable: reflect.Callable }[] {
  const types: (reflect.ClassType | reflect.InterfaceType)[] = [...assembly.allClasses, ...assembly.allInterfaces];
  return types.flatMap((type) => [
    ...(type instanceof reflect.ClassType && type.initializer ? [{ owner: type.fqn, callable: type.initializer as reflect.Callable }] : []),
    ...type.ownMethods.map((m) => ({ owner: type.fqn, callable: m as reflect.Callable })),
  ]);
}

/** The interface members (of any assembly) that a method of a library class implements. */
function implementedInterfaceMethods(cls: reflect.ClassType, method: reflect.Method): reflect.Method[] {
  const interfaces = new Map<string, reflect.InterfaceType>();
  for (let c: reflect.ClassType | undefined = cls; c !== undefined; c = c.base) {
    for (const i of c.getInterfaces(true)) {
      interfaces.set(i.fqn, i);
    }
  }
  return [...interfaces.values()].flatMap((i) => i.allMethods.filter((m) => m.name === method.name && !m.static));
}

test('the assembly declares the library\'s classes', () => {
  expect(assembly.name).toBe('cdk-kms-patterns');
  expect(assembly.allClasses.map((c) => c.name)).toEqual(expect.arrayContaining(['CustomerManagedKey', 'ReplicaKey']));
});

test('no parameter name starts with _', () => {
  const offending = ownCallables().flatMap(({ owner, callable }) => callable.parameters
    .filter((p) => p.name.startsWith('_'))
    .map((p) => `${owner}.${callable.name}(${p.name})`));
  expect(offending).toEqual([]);
});

test('members implementing an interface member keep its parameter names', () => {
  const mismatches: string[] = [];
  let compared = 0;
  for (const cls of assembly.allClasses) {
    for (const method of cls.ownMethods.filter((m) => !m.static)) {
      for (const declared of implementedInterfaceMethods(cls, method)) {
        compared++;
        const ours = method.parameters.map((p) => p.name);
        const theirs = declared.parameters.map((p) => p.name);
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
          mismatches.push(`${cls.fqn}.${method.name}(${ours.join(', ')}) implements ${declared.parentType.fqn}.${declared.name}(${theirs.join(', ')})`);
        }
      }
    }
  }
  expect(mismatches).toEqual([]);
  // The comparison reached the kms.IKey members of the library's keys.
  expect(compared).toBeGreaterThan(20);
});

test.each([
  ['ReplicaKey', 'addToResourcePolicy', ['statement', 'allowNoOp']],
  ['ReplicaKey', 'addAlias', ['alias']],
  ['CustomerManagedKey', 'addAlias', ['alias']],
  ['ReplicaKey', 'grant', ['grantee', 'actions']],
])('%s.%s takes (%j) as kms.IKey declares it', (className, methodName, names) => {
  const cls = assembly.allClasses.find((c) => c.name === className)!;
  const method = cls.ownMethods.find((m) => m.name === methodName)!;
  expect(method.parameters.map((p) => p.name)).toEqual(names);
  const iKey = implementedInterfaceMethods(cls, method).find((m) => m.parentType.fqn === 'aws-cdk-lib.aws_kms.IKey');
  expect(iKey?.parameters.map((p) => p.name)).toEqual(names);
});

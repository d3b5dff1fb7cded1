// Java declarations of the types the generated Java sources of this library use from their dependencies,
// so that javadoc can resolve every signature and doc reference without the dependencies' jars (Maven
// Central is unreachable here).
//
// - aws-cdk-lib, constructs, cdk-nag: generated from their jsii assemblies (node_modules), the same type
//   information jsii-pacmak generates their Java bindings from: kind (class, interface, struct, enum),
//   base class and interfaces, Java package and nesting, method names, property getters, enum members.
//   A reference to a type or member these assemblies do not have stays an error.
// - the jsii Java runtime (software.amazon.jsii), Jackson's JsonNode, javax.annotation.Generated and the
//   JetBrains nullability annotations: the few declarations the generated code names, written out below.
//
// Javadoc only needs declarations (it does not compile method bodies), so stubs have no behaviour.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const JAVA_KEYWORDS = new Set(('abstract assert boolean break byte case catch char class const continue default do double '
  + 'else enum extends final finally float for goto if implements import instanceof int interface long native new '
  + 'package private protected public return short static strictfp super switch synchronized this throw throws '
  + 'transient try void volatile while true false null var record yield').split(' '));

/** Hand-written declarations: the jsii runtime and the annotations the generated code carries. */
const RUNTIME_STUBS = {
  'software/amazon/jsii/JsiiObject.java': `package software.amazon.jsii;
public abstract class JsiiObject implements JsiiSerializable {
    public enum InitializationMode { JSII }
    protected JsiiObject() {}
    protected JsiiObject(JsiiObjectRef objRef) {}
    protected JsiiObject(InitializationMode initializationMode) {}
}`,
  'software/amazon/jsii/JsiiObjectRef.java': 'package software.amazon.jsii;\npublic final class JsiiObjectRef {}',
  'software/amazon/jsii/JsiiSerializable.java': 'package software.amazon.jsii;\npublic interface JsiiSerializable {}',
  'software/amazon/jsii/Builder.java': 'package software.amazon.jsii;\npublic interface Builder<T> { T build(); }',
  'software/amazon/jsii/JsiiModule.java': 'package software.amazon.jsii;\npublic abstract class JsiiModule {}',
  'software/amazon/jsii/Kernel.java': 'package software.amazon.jsii;\npublic final class Kernel {}',
  'software/amazon/jsii/NativeType.java': 'package software.amazon.jsii;\npublic class NativeType<T> {}',
  'software/amazon/jsii/JsiiObjectMapper.java': 'package software.amazon.jsii;\npublic final class JsiiObjectMapper {}',
  'software/amazon/jsii/JsiiEngine.java': 'package software.amazon.jsii;\npublic final class JsiiEngine {}',
  'software/amazon/jsii/Jsii.java': `package software.amazon.jsii;
public @interface Jsii {
    Class<? extends JsiiModule> module();
    String fqn();
    @interface Proxy { Class<?> value(); }
}`,
  'software/amazon/jsii/Internal.java': 'package software.amazon.jsii;\npublic @interface Internal {}',
  'software/amazon/jsii/Stability.java': `package software.amazon.jsii;
public @interface Stability {
    Level value();
    enum Level { Experimental, Stable, Deprecated, External }
}`,
  // Struct proxies serialize themselves with Jackson (`JsonNode $jsii$toJson()`).
  'com/fasterxml/jackson/databind/JsonNode.java': 'package com.fasterxml.jackson.databind;\npublic abstract class JsonNode {}',
  'javax/annotation/Generated.java': `package javax.annotation;
public @interface Generated { String[] value(); String date() default ""; String comments() default ""; }`,
  'org/jetbrains/annotations/NotNull.java': 'package org.jetbrains.annotations;\npublic @interface NotNull { String value() default ""; }',
  'org/jetbrains/annotations/Nullable.java': 'package org.jetbrains.annotations;\npublic @interface Nullable { String value() default ""; }',
};

/** A jsii assembly file, following the redirect to a compressed assembly (aws-cdk-lib's .jsii.gz). */
function loadAssemblyFromFile(file) {
  const assembly = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (assembly.schema !== 'jsii/file-redirect') return assembly;
  const data = fs.readFileSync(path.join(path.dirname(file), assembly.filename));
  return JSON.parse((assembly.compression === 'gzip' ? zlib.gunzipSync(data) : data).toString('utf8'));
}

/** Every jsii assembly this package depends on (its dependency closure), loaded from node_modules. */
function loadDependencyAssemblies(projectDir) {
  const own = loadAssemblyFromFile(path.join(projectDir, '.jsii'));
  return Object.keys(own.dependencyClosure ?? own.dependencies ?? {}).map((name) => {
    const dir = path.dirname(require.resolve(`${name}/package.json`, { paths: [projectDir] }));
    return loadAssemblyFromFile(path.join(dir, '.jsii'));
  });
}

/**
 * Java names of the types of the given assemblies: `javaName` is the dotted Java name (package, then
 * enclosing types), `pkg` its package, `nesting` the type names below the package.
 */
function javaTypeIndex(assemblies) {
  const byJavaName = new Map();
  const byFqn = new Map();
  for (const assembly of assemblies) {
    const modules = [[assembly.name, assembly.targets?.java?.package]];
    for (const [fqn, sub] of Object.entries(assembly.submodules ?? {})) modules.push([fqn, sub.targets?.java?.package]);
    modules.sort((a, b) => b[0].length - a[0].length);
    for (const type of Object.values(assembly.types ?? {})) {
      const [moduleFqn, pkg] = modules.find(([fqn]) => type.fqn.startsWith(`${fqn}.`)) ?? [];
      if (!moduleFqn) continue;
      const javaPackage = pkg ?? javaPackageOf(modules, moduleFqn);
      const nesting = type.fqn.slice(moduleFqn.length + 1).split('.');
      const entry = { type, pkg: javaPackage, nesting, javaName: [javaPackage, ...nesting].join('.') };
      byJavaName.set(entry.javaName, entry);
      byFqn.set(type.fqn, entry);
    }
  }
  return { byJavaName, byFqn };
}

/** Package of a submodule without a Java target: its parent's package and its own name (as jsii-pacmak does). */
function javaPackageOf(modules, moduleFqn) {
  const parent = modules.find(([fqn]) => moduleFqn.startsWith(`${fqn}.`));
  const name = moduleFqn.slice(parent[0].length + 1).replace(/[^a-zA-Z0-9]/g, '').toLowerCase();
  return `${parent[1] ?? javaPackageOf(modules, parent[0])}.${name}`;
}

/** The dependency types the sources name: their Java names, as jsii-pacmak writes them (fully qualified). */
function referencedJavaNames(sources, packages) {
  const names = new Set();
  const prefix = packages.map((p) => p.replace(/\./g, '\\.')).join('|');
  const re = new RegExp(`\\b(?:${prefix})(?:\\.[A-Z$][A-Za-z0-9_$]*)+`, 'g');
  for (const text of sources) for (const match of text.match(re) ?? []) names.add(match);
  return names;
}

/** Writes stubs for the referenced types (with their bases and enclosing types) under `outDir`. */
function writeStubs(outDir, sourceTexts, projectDir) {
  const index = javaTypeIndex(loadDependencyAssemblies(projectDir));
  const packages = [...new Set([...index.byJavaName.values()].map((e) => e.pkg))].sort((a, b) => b.length - a.length);
  const wanted = new Map();
  const unknown = [];
  const want = (entry) => {
    if (wanted.has(entry.javaName)) return;
    wanted.set(entry.javaName, entry);
    const t = entry.type;
    for (const fqn of [t.base, ...(t.interfaces ?? [])].filter(Boolean)) {
      const base = index.byFqn.get(fqn);
      if (base) want(base);
    }
    for (let i = 1; i < entry.nesting.length; i++) {
      const outer = index.byJavaName.get([entry.pkg, ...entry.nesting.slice(0, i)].join('.'));
      if (outer) want(outer);
    }
  };
  for (const name of referencedJavaNames(sourceTexts, packages)) {
    // `pkg.Type.Nested` or `pkg.Type.member`: take the longest known type prefix.
    const parts = name.split('.');
    let found;
    for (let n = parts.length; n > 0 && !found; n--) found = index.byJavaName.get(parts.slice(0, n).join('.'));
    if (found) want(found);
    else if (!name.endsWith('.$Module')) unknown.push(name);
  }
  // Module classes (software.amazon.awscdk.$Module) are listed by the generated $Module as dependencies.
  const modulePackages = new Set([...referencedJavaNames(sourceTexts, packages)].filter((n) => n.endsWith('.$Module')).map((n) => n.slice(0, -'.$Module'.length)));

  const tops = new Map();
  for (const entry of wanted.values()) {
    const key = `${entry.pkg}.${entry.nesting[0]}`;
    if (!tops.has(key)) tops.set(key, []);
    tops.get(key).push(entry);
  }
  const write = (pkg, name, body) => {
    const file = path.join(outDir, ...pkg.split('.'), `${name}.java`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `package ${pkg};\n${body}\n`);
  };
  for (const [key, entries] of tops) {
    const top = index.byJavaName.get(key);
    write(top.pkg, top.nesting[0], renderType(top, entries, index, 0));
  }
  for (const pkg of modulePackages) write(pkg, '$Module', 'public final class $Module extends software.amazon.jsii.JsiiModule {}');
  for (const [file, text] of Object.entries(RUNTIME_STUBS)) {
    fs.mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    fs.writeFileSync(path.join(outDir, file), `${text}\n`);
  }
  return { types: wanted.size, unknown };
}

function renderType(entry, family, index, depth) {
  const t = entry.type;
  const javaRef = (fqn) => index.byFqn.get(fqn)?.javaName;
  const nested = family.filter((e) => e.nesting.length === depth + 2 && e.javaName.startsWith(`${entry.javaName}.`));
  const body = [];
  const isInterface = t.kind === 'interface';
  if (t.kind === 'enum') {
    body.push(`${(t.members ?? []).map((m) => m.name).join(', ')};`);
  } else {
    const seen = new Set();
    const member = (name, isStatic) => {
      if (JAVA_KEYWORDS.has(name) || seen.has(name)) return;
      seen.add(name);
      if (isStatic) body.push(`public static Object ${name}() { return null; }`);
      else if (isInterface) body.push(`default Object ${name}() { return null; }`);
      else body.push(`public Object ${name}() { return null; }`);
    };
    for (const m of t.methods ?? []) member(m.name, m.static);
    for (const p of t.properties ?? []) {
      if (p.const) body.push(`public static final Object ${p.name} = null;`);
      else member(`get${p.name.charAt(0).toUpperCase()}${p.name.slice(1)}`, p.static);
    }
  }
  for (const n of nested) body.push(renderType(n, family, index, depth + 1));
  const modifiers = depth === 0 ? 'public' : 'public static';
  let header;
  if (t.kind === 'enum') header = `${modifiers.replace(' static', '')} enum ${t.name}`;
  else if (isInterface) {
    const bases = (t.interfaces ?? []).map(javaRef).filter(Boolean);
    header = `${modifiers.replace(' static', '')} interface ${t.name}${bases.length ? ` extends ${bases.join(', ')}` : ''}`;
  } else {
    const base = t.base ? javaRef(t.base) : 'software.amazon.jsii.JsiiObject';
    const ifaces = (t.interfaces ?? []).map(javaRef).filter(Boolean);
    header = `${modifiers}${t.abstract ? ' abstract' : ''} class ${t.name} extends ${base}${ifaces.length ? ` implements ${ifaces.join(', ')}` : ''}`;
  }
  return `${header} {\n${body.map((l) => `    ${l}`).join('\n')}\n}`;
}

module.exports = { writeStubs, javaTypeIndex, loadAssemblyFromFile, loadDependencyAssemblies };

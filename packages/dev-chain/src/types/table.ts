import type { PortableField, PortableType, PortableTypeDef, PortableVariant, PrimitiveName as PortablePrimitive } from '@sealbridge/chain-types';

import { DevChainError } from '../errors.js';

/**
 * A tiny scale-info: portable type table with structural dedup, plus a resolver for Rust-like type
 * expressions (`Vec<u8>`, `Option<H256>`, `Compact<Balance>`, `[u8; 32]`, `(u32, H256)`,
 * `BoundedVec<ShardSignerStatus, 10>`, `WeakBoundedVec<T, N>`) so pallets are declared as data.
 */
export type TypeId = number;
/** The primitives pallets declare (scale-info knows more; the dev chain needs these). */
export type PrimitiveName = Extract<PortablePrimitive, 'bool' | 'str' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128'>;
export type FieldDef = PortableField;
export type VariantDef = PortableVariant;
export type TypeDefKind = PortableTypeDef;
export type TypeInfo = PortableType;

/** Declarative named type: a struct (`fields`), an enum (`variants`) or an alias (`alias`). */
export type NamedTypeDecl =
  | { path: string; params?: Record<string, string>; fields: Record<string, string> | string[]; docs?: string[] }
  | {
      path: string;
      params?: Record<string, string>;
      /** Variant entries: name, or [name, fields] with named (object) or unnamed (array) fields; index = position unless given. */
      variants: (string | [string, (Record<string, string> | string[])?, number?])[];
      docs?: string[];
    }
  | { alias: string };

const PRIMITIVES = new Set<string>(['bool', 'str', 'u8', 'u16', 'u32', 'u64', 'u128']);

export class TypeTable {
  readonly types: TypeInfo[] = [];
  readonly #dedup = new Map<string, TypeId>();
  readonly #named = new Map<string, NamedTypeDecl>();
  readonly #resolvedNamed = new Map<string, TypeId>();

  /** Registers named types that expressions may refer to (resolved lazily, so order does not matter). */
  declare(decls: Record<string, NamedTypeDecl>): void {
    for (const [name, decl] of Object.entries(decls)) {
      const existing = this.#named.get(name);
      if (existing && JSON.stringify(existing) !== JSON.stringify(decl)) {
        throw new DevChainError('METADATA', `type ${name} declared twice with different shapes`);
      }
      this.#named.set(name, decl);
    }
  }

  /** Reserves an id for a recursive type (e.g. RuntimeCall inside Sudo), filled later with `define`. */
  reserve(name?: string): TypeId {
    const id = this.types.length;
    this.types.push({ id, path: [], params: [], def: { kind: 'tuple', types: [] }, docs: [] });
    if (name) this.#resolvedNamed.set(name, id);
    return id;
  }

  define(id: TypeId, info: Omit<TypeInfo, 'id'>): TypeId {
    this.types[id] = { id, ...info };
    return id;
  }

  add(info: Omit<TypeInfo, 'id'>): TypeId {
    const key = JSON.stringify(info);
    const found = this.#dedup.get(key);
    if (found !== undefined) return found;
    const id = this.types.length;
    this.types.push({ id, ...info });
    this.#dedup.set(key, id);
    return id;
  }

  get(id: TypeId): TypeInfo {
    const t = this.types[id];
    if (!t) throw new DevChainError('METADATA', `unknown type id ${id}`);
    return t;
  }

  prim(name: PrimitiveName): TypeId {
    return this.add({ path: [], params: [], def: { kind: 'primitive', name }, docs: [] });
  }

  /** Resolves a Rust-like type expression to a type id. */
  resolve(expr: string): TypeId {
    const parser = new ExprParser(expr);
    const node = parser.parse();
    return this.#build(node, expr);
  }

  #build(node: ExprNode, expr: string): TypeId {
    switch (node.kind) {
      case 'tuple':
        return this.add({ path: [], params: [], def: { kind: 'tuple', types: node.items.map((n) => this.#build(n, expr)) }, docs: [] });
      case 'array':
        return this.add({ path: [], params: [], def: { kind: 'array', len: node.len, type: this.#build(node.item, expr) }, docs: [] });
      case 'name':
        return this.#buildName(node, expr);
    }
  }

  #buildName(node: Extract<ExprNode, { kind: 'name' }>, expr: string): TypeId {
    const { name, args } = node;
    const arg = (i: number): TypeId => {
      const a = args[i];
      if (!a || a.kind === 'number') throw new DevChainError('METADATA', `${name} needs a type argument in "${expr}"`);
      return this.#build(a, expr);
    };
    if (PRIMITIVES.has(name)) return this.prim(name as PrimitiveName);
    switch (name) {
      case 'Vec':
        return this.add({ path: [], params: [], def: { kind: 'sequence', type: arg(0) }, docs: [] });
      case 'Compact':
        return this.add({ path: [], params: [], def: { kind: 'compact', type: arg(0) }, docs: [] });
      case 'Box':
        return arg(0);
      case 'Option': {
        const t = arg(0);
        return this.add({
          path: ['Option'],
          params: [{ name: 'T', type: t }],
          def: { kind: 'variant', variants: [{ name: 'None', index: 0, fields: [] }, { name: 'Some', index: 1, fields: [{ type: t }] }] },
          docs: [],
        });
      }
      case 'Result': {
        const ok = arg(0);
        const err = arg(1);
        return this.add({
          path: ['Result'],
          params: [{ name: 'T', type: ok }, { name: 'E', type: err }],
          def: { kind: 'variant', variants: [{ name: 'Ok', index: 0, fields: [{ type: ok }] }, { name: 'Err', index: 1, fields: [{ type: err }] }] },
          docs: [],
        });
      }
      case 'BoundedVec':
      case 'WeakBoundedVec': {
        const t = arg(0);
        const seq = this.add({ path: [], params: [], def: { kind: 'sequence', type: t }, docs: [] });
        return this.add({
          path: name === 'BoundedVec' ? ['bounded_collections', 'bounded_vec', 'BoundedVec'] : ['bounded_collections', 'weak_bounded_vec', 'WeakBoundedVec'],
          params: [{ name: 'T', type: t }, { name: 'S' }],
          def: { kind: 'composite', fields: [{ type: seq, typeName: `Vec<T>` }] },
          docs: [],
        });
      }
    }
    if (args.length) throw new DevChainError('METADATA', `type ${name} takes no arguments in "${expr}"`);
    return this.#named_(name, expr);
  }

  #named_(name: string, expr: string): TypeId {
    const done = this.#resolvedNamed.get(name);
    if (done !== undefined) return done;
    const decl = this.#named.get(name);
    if (!decl) throw new DevChainError('METADATA', `unknown type ${name} in "${expr}"`);
    if ('alias' in decl) {
      const id = this.resolve(decl.alias);
      this.#resolvedNamed.set(name, id);
      return id;
    }
    // Reserve first so self-referencing declarations terminate.
    const id = this.reserve(name);
    const params = Object.entries(decl.params ?? {}).map(([n, e]) => ({ name: n, type: this.resolve(e) }));
    const field = (n: string | undefined, e: string): FieldDef => ({ ...(n === undefined ? {} : { name: n }), type: this.resolve(e), typeName: e });
    const toFields = (f: Record<string, string> | string[] | undefined): FieldDef[] =>
      !f ? [] : Array.isArray(f) ? f.map((e) => field(undefined, e)) : Object.entries(f).map(([n, e]) => field(n, e));
    const path = decl.path.split('::');
    if ('fields' in decl) {
      this.define(id, { path, params, def: { kind: 'composite', fields: toFields(decl.fields) }, docs: decl.docs ?? [] });
    } else {
      const variants = decl.variants.map((v, i): VariantDef => {
        const [vname, fields, index] = typeof v === 'string' ? [v, undefined, undefined] : v;
        return { name: vname, index: index ?? i, fields: toFields(fields) };
      });
      this.define(id, { path, params, def: { kind: 'variant', variants }, docs: decl.docs ?? [] });
    }
    return id;
  }
}

type ExprNode =
  | { kind: 'name'; name: string; args: (ExprNode | { kind: 'number'; value: number })[] }
  | { kind: 'tuple'; items: ExprNode[] }
  | { kind: 'array'; len: number; item: ExprNode };

class ExprParser {
  #pos = 0;
  constructor(readonly src: string) {}

  parse(): ExprNode {
    const node = this.#type();
    this.#ws();
    if (this.#pos !== this.src.length) this.#fail('trailing input');
    return node;
  }

  #fail(why: string): never {
    throw new DevChainError('METADATA', `bad type expression "${this.src}" at ${this.#pos}: ${why}`);
  }
  #ws(): void {
    while (this.src[this.#pos] === ' ') this.#pos++;
  }
  #eat(ch: string): boolean {
    this.#ws();
    if (this.src[this.#pos] === ch) {
      this.#pos++;
      return true;
    }
    return false;
  }
  #expect(ch: string): void {
    if (!this.#eat(ch)) this.#fail(`expected ${ch}`);
  }
  #ident(): string {
    this.#ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.#pos));
    if (!m) this.#fail('expected identifier');
    this.#pos += m[0].length;
    return m[0];
  }
  #number(): number {
    this.#ws();
    const m = /^[0-9]+/.exec(this.src.slice(this.#pos));
    if (!m) this.#fail('expected number');
    this.#pos += m[0].length;
    return Number(m[0]);
  }

  #type(): ExprNode {
    if (this.#eat('(')) {
      const items: ExprNode[] = [];
      if (!this.#eat(')')) {
        do items.push(this.#type());
        while (this.#eat(','));
        this.#expect(')');
      }
      return { kind: 'tuple', items };
    }
    if (this.#eat('[')) {
      const item = this.#type();
      this.#expect(';');
      const len = this.#number();
      this.#expect(']');
      return { kind: 'array', len, item };
    }
    const name = this.#ident();
    const args: (ExprNode | { kind: 'number'; value: number })[] = [];
    if (this.#eat('<')) {
      do {
        this.#ws();
        args.push(/[0-9]/.test(this.src[this.#pos] ?? '') ? { kind: 'number', value: this.#number() } : this.#type());
      } while (this.#eat(','));
      this.#expect('>');
    }
    return { kind: 'name', name, args };
  }
}
